import InboxCore
import InboxHub
import Testing

@Suite("SubscriptionIndex.remove")
struct SubscriptionIndexRemoveTests {
    static func randomSubscriptions(_ rng: inout SplitMix64, count: Int) -> [Subscription] {
        (0..<count).map { Subscription(handle: $0, filter: RandomHub.filter(&rng), viewer: RandomHub.viewer(&rng)) }
    }

    static func randomChange(_ rng: inout SplitMix64, id: Int64) -> (Conversation?, Conversation) {
        let start = RandomHub.conversation(&rng, id: id)
        return rng.chance(0.2) ? (nil, start) : (start, RandomHub.mutation(&rng, of: start))
    }

    @Test func removingEverySubscriptionLeavesNoCandidate() {
        let seed = SplitMix64.seedFromEnvironment()
        var rng = SplitMix64(seed: seed)
        let subscriptions = Self.randomSubscriptions(&rng, count: 1_000)
        var index = SubscriptionIndex<Int>()
        for s in subscriptions { index.insert(s.handle, filter: s.filter, viewer: s.viewer) }
        for s in subscriptions.shuffled(using: &rng) { index.remove(s.handle, filter: s.filter, viewer: s.viewer) }
        for id in 1...1_000 {
            let (previous, current) = Self.randomChange(&rng, id: Int64(id))
            let candidates = index.candidates(previous: previous, current: current)
            #expect(candidates.isEmpty, "seed=\(seed) candidates=\(candidates.sorted().prefix(5)) current=\(current)")
            if !candidates.isEmpty { break }
        }
    }

    @Test func removingHalfKeepsTheOtherHalfExactlyAsIndexed() {
        let seed = SplitMix64.seedFromEnvironment()
        var rng = SplitMix64(seed: seed)
        let subscriptions = Self.randomSubscriptions(&rng, count: 1_000)
        var index = SubscriptionIndex<Int>()
        var reference = SubscriptionIndex<Int>()
        for s in subscriptions { index.insert(s.handle, filter: s.filter, viewer: s.viewer) }
        var removed: [Subscription] = [], kept: [Subscription] = []
        for s in subscriptions.shuffled(using: &rng) {
            if rng.chance(0.5) { removed.append(s) } else { kept.append(s) }
        }
        for s in kept { reference.insert(s.handle, filter: s.filter, viewer: s.viewer) }
        for s in removed { index.remove(s.handle, filter: s.filter, viewer: s.viewer) }
        for id in 1...1_000 {
            let (previous, current) = Self.randomChange(&rng, id: Int64(id))
            let got = index.candidates(previous: previous, current: current)
            let expected = reference.candidates(previous: previous, current: current)
            #expect(got == expected, "seed=\(seed) current=\(current)")
            if got != expected { break }
        }
    }

    @Test func removeNeedsOnlyAnEqualFilterAndViewer() {
        var index = SubscriptionIndex<Int>()
        let viewer = Fixture.viewer(agent: 10, role: .agent, departments: [1, 2, 3])
        index.insert(1, filter: ConversationFilter(tagIDs: [TagID(1), TagID(2), TagID(3)]), viewer: viewer)
        index.insert(2, filter: ConversationFilter(), viewer: viewer)
        // Rebuilt from scratch, with the sets filled in another order.
        let sameViewer = Fixture.viewer(agent: 10, role: .agent, departments: [3, 2, 1])
        index.remove(1, filter: ConversationFilter(tagIDs: Set([3, 1, 2].map(TagID.init))), viewer: sameViewer)
        index.remove(2, filter: ConversationFilter(), viewer: sameViewer)
        let conversation = Fixture.conversation(assignee: 10, departments: [1, 2, 3], tags: [1, 2, 3])
        #expect(index.candidates(previous: conversation, current: conversation).isEmpty)
        #expect(index.candidates(previous: nil, current: Fixture.conversation()).isEmpty)
    }

    @Test func removingAnUnknownHandleOrTwiceDisturbsNothing() {
        var index = SubscriptionIndex<Int>()
        let viewer = Fixture.viewer(agent: 10, role: .admin)
        let filter = ConversationFilter(scope: .mine)
        index.insert(1, filter: filter, viewer: viewer)
        index.insert(2, filter: ConversationFilter(), viewer: viewer)
        index.remove(3, filter: filter, viewer: viewer)
        index.remove(1, filter: ConversationFilter(), viewer: Fixture.viewer(workspace: Fixture.otherWorkspace))
        let conversation = Fixture.conversation(assignee: 10)
        #expect(index.candidates(previous: nil, current: conversation) == [1, 2])
        index.remove(1, filter: filter, viewer: viewer)
        index.remove(1, filter: filter, viewer: viewer)
        #expect(index.candidates(previous: nil, current: conversation) == [2])
    }

    @Test func aRemovedSubscriptionCanBeInsertedAgain() {
        var index = SubscriptionIndex<Int>()
        let viewer = Fixture.viewer(agent: 10, role: .admin)
        let filter = ConversationFilter(stageIDs: [StageID(4)])
        let conversation = Fixture.conversation(stages: [4])
        index.insert(7, filter: filter, viewer: viewer)
        index.remove(7, filter: filter, viewer: viewer)
        #expect(index.candidates(previous: nil, current: conversation).isEmpty)
        index.insert(7, filter: filter, viewer: viewer)
        #expect(index.candidates(previous: nil, current: conversation) == [7])
    }
}
