import InboxCore
import InboxHub
import Testing

/// Every subscription a change concerns must be among the index's candidates, and no
/// candidate may belong to another workspace, on random subscriptions and random changes.
///
/// Replay a failure with `SWITCHBOARD_SEED=<seed printed in the issue> swift test --filter SubscriptionIndexPropertyTests`.
@Suite("Property: SubscriptionIndex misses no concerned subscription")
struct SubscriptionIndexPropertyTests {
    static let subscriptionCount = 2_000
    static let changeCount = 2_000
    static let conversationCount = 150

    @Test func everyConcernedSubscriptionIsACandidateOfTheSameWorkspace() {
        let seed = SplitMix64.seedFromEnvironment()
        var rng = SplitMix64(seed: seed)
        let subscriptions = (0..<Self.subscriptionCount).map {
            Subscription(handle: $0, filter: RandomHub.filter(&rng), viewer: RandomHub.viewer(&rng))
        }
        var index = SubscriptionIndex<Int>()
        for s in subscriptions { index.insert(s.handle, filter: s.filter, viewer: s.viewer) }

        var conversations: [Int64: Conversation] = [:]
        var nextID: Int64 = 1
        var tally: [ListChange: Int] = [:]
        var candidateTotal = 0, failures = 0

        for step in 0..<Self.changeCount where failures < 5 {
            let previous: Conversation?
            let current: Conversation
            if conversations.isEmpty || rng.chance(0.15) {
                previous = nil
                current = RandomHub.conversation(&rng, id: nextID)
                nextID += 1
            } else {
                let before = conversations[rng.pick(Array(conversations.keys).sorted())]!
                previous = before
                current = RandomHub.mutation(&rng, of: before)
            }
            if conversations.count < Self.conversationCount || previous != nil { conversations[current.id.rawValue] = current }

            let candidates = index.candidates(previous: previous, current: current)
            candidateTotal += candidates.count
            let context = "seed=\(seed) step=\(step) previous=\(previous.map(String.init(describing:)) ?? "nil") current=\(current)"

            let foreign = candidates.filter { subscriptions[$0].viewer.workspaceID != current.workspaceID }
            if !foreign.isEmpty {
                failures += 1
                Issue.record("candidates of another workspace: \(foreign.sorted().prefix(5)); \(context)")
            }
            for s in subscriptions {
                guard let change = ListChange.of(s.filter, viewer: s.viewer, previous: previous, current: current) else { continue }
                tally[change, default: 0] += 1
                if !candidates.contains(s.handle) {
                    failures += 1
                    Issue.record("missed \(change) for handle \(s.handle) filter=\(s.filter) viewer=\(s.viewer); \(context)")
                    break
                }
            }
        }

        // The generator must reach every outcome, or the property proves little.
        let outcomes: [ListChange] = [.entered, .updated] + RemovalReason.allCases.map(ListChange.left)
        for outcome in outcomes {
            #expect(tally[outcome, default: 0] > 0, "no \(outcome) generated; seed=\(seed) tally=\(tally)")
        }
        // Loose sanity on selectivity: on average the index does not hand out every subscription.
        let average = Double(candidateTotal) / Double(Self.changeCount)
        #expect(average < Double(Self.subscriptionCount) * 0.75, "average candidates \(average); seed=\(seed)")
    }
}
