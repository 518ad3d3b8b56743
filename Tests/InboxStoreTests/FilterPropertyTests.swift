import Foundation
import InboxCore
import InboxStore
import Testing

/// The SQL filter, the in-memory filter index, the visibility rule, order and keyset paging of
/// `listConversations` and `countConversations` must agree exactly with
/// `ConversationFilter.matches` and `ConversationSortKey.precedes`, on random workspaces and
/// random (filter, viewer) pairs, whichever way the store plans (SQL alone, index alone, mixed).
///
/// Replay a failure with `SWITCHBOARD_SEED=<seed printed in the issue> swift test --filter FilterPropertyTests`.
@Suite("Property: SQL filter and filter index agree with ConversationFilter.matches")
struct FilterPropertyTests {
    static let workspaceCount = 6

    @Test(arguments: [
        (StoreKind.memory, 500, SQLiteStore.QueryPlanning.automatic), (.file, 60, .automatic),
        (.memory, 300, .sqlOnly), (.memory, 300, .filterIndex),
    ])
    func listAndCountAgreeWithTheInMemoryFilter(_ kind: StoreKind, filtersPerWorkspace: Int, planning: SQLiteStore.QueryPlanning) async throws {
        let seed = SplitMix64.seedFromEnvironment()
        let started = ContinuousClock.now
        let db = try TestDatabase(kind, planning: planning)
        var world = RandomWorld(store: db.store, clock: db.clock, rng: SplitMix64(seed: seed))
        let workspaces = try await world.build(workspaces: Self.workspaceCount)
        var rng = world.rng

        // The reference data: every conversation of every workspace, fetched one by one.
        var everything: [Conversation] = []
        for w in workspaces {
            for id in w.conversations { everything.append(try await db.store.conversation(id, in: w.id)) }
        }
        Self.checkCoverage(everything, seed: seed)
        Self.checkInvariants(everything, seed: seed)

        var cases = 0, failures = 0
        for w in workspaces {
            let latest = try await db.store.latestSequence(in: w.id)
            for _ in 0..<filtersPerWorkspace where failures < 5 {
                let filter = Self.randomFilter(&rng, own: w, all: workspaces)
                let viewer = Self.randomViewer(&rng, own: w, all: workspaces)
                let expected = everything.filter { filter.matches($0, viewer: viewer) }
                    .sorted { $0.sortKey.precedes($1.sortKey, in: filter.order) }
                let context = "seed=\(seed) workspace=\(w.id) filter=\(filter) viewer=\(viewer)"

                var listed: [Conversation] = []
                var cursor: PageCursor?
                var pages = 0
                repeat {
                    let limit = rng.chance(0.2) ? rng.pick([1, 2, SQLiteStore.maxPageSize]) : rng.int(1...25)
                    let page = try await db.store.listConversations(filter, viewer: viewer, after: cursor, limit: limit)
                    if page.items.count > limit || (page.nextCursor != nil && page.items.count != limit) || page.sequence != latest {
                        Issue.record("bad page shape (limit \(limit), \(page.items.count) items, sequence \(page.sequence)): \(context)")
                        failures += 1
                    }
                    listed += page.items
                    cursor = page.nextCursor
                    if let next = cursor, rng.chance(0.3) { cursor = try PageCursor(decoding: next.encoded, order: filter.order) }
                    pages += 1
                } while cursor != nil && pages <= expected.count + 1

                if listed.map(\.id) != expected.map(\.id) {
                    failures += 1
                    Issue.record("list differs: got \(listed.map(\.id)) expected \(expected.map(\.id)); \(context)")
                } else if listed != expected {
                    failures += 1
                    Issue.record("listed rows differ from conversation(_:in:): \(context)")
                }
                let count = try await db.store.countConversations(filter, viewer: viewer)
                if count != expected.count {
                    failures += 1
                    Issue.record("count \(count) != \(expected.count); \(context)")
                }
                cases += 1
            }
        }
        let elapsed = ContinuousClock.now - started
        print("FilterPropertyTests[\(kind), \(planning)]: \(cases) cases over \(everything.count) conversations in \(elapsed), seed=\(seed)")
        #expect(failures == 0, "seed=\(seed)")
        #expect(cases == Self.workspaceCount * filtersPerWorkspace || failures > 0)
    }

    // MARK: Random filters and viewers

    static func randomFilter(_ rng: inout SplitMix64, own: RandomWorkspace, all: [RandomWorkspace]) -> ConversationFilter {
        let foreign = all.filter { $0.id != own.id }
        func ids<E>(_ mine: [Identifier<E>], _ theirs: [Identifier<E>]) -> Set<Identifier<E>> {
            if rng.chance(0.45) { return [] }
            var result = rng.subset(mine, 0.35)
            if result.isEmpty, let one = mine.randomElement(using: &rng) { result.append(one) }
            if rng.chance(0.25) { result += rng.subset(theirs, 0.1) }
            if rng.chance(0.1) { result.append(Identifier(Int64(rng.int(90_000...99_999)))) } // exists nowhere
            return Set(result)
        }
        return ConversationFilter(
            scope: rng.pick(ConversationScope.allCases),
            statuses: rng.chance(0.35) ? [] : Set(rng.subset(StatusFilter.allCases, 0.35)),
            connectionIDs: ids(own.connections, foreign.flatMap(\.connections)),
            tagIDs: ids(own.tags, foreign.flatMap(\.tags)),
            stageIDs: ids(own.stages, foreign.flatMap(\.stages)),
            departmentIDs: ids(own.departments, foreign.flatMap(\.departments)),
            order: rng.pick(ConversationOrder.allCases))
    }

    /// Mostly a real agent of the workspace; sometimes a made-up identity with any role, foreign
    /// departments, or the id of another workspace's agent.
    static func randomViewer(_ rng: inout SplitMix64, own: RandomWorkspace, all: [RandomWorkspace]) -> Viewer {
        if rng.chance(0.7) { return rng.pick(own.agents).viewer }
        let strangers = all.filter { $0.id != own.id }
        let agent = rng.chance(0.8) ? rng.pick(own.agents).id : rng.pick(strangers.flatMap(\.agents)).id
        var departments = rng.subset(own.departments)
        if rng.chance(0.3) { departments += rng.subset(strangers.flatMap(\.departments), 0.2) }
        return Viewer(agentID: agent, workspaceID: own.id, role: rng.pick(Role.allCases), departmentIDs: Set(departments))
    }

    // MARK: The data must be interesting

    /// Every status and assignment state occurs, so the comparison cannot pass vacuously.
    static func checkCoverage(_ conversations: [Conversation], seed: UInt64) {
        let open = conversations.filter { $0.status == .open }
        let coverage: [(String, Bool)] = [
            ("open", !open.isEmpty),
            ("awaiting reply", open.contains(where: \.awaitingReply)),
            ("open without awaiting reply", open.contains { !$0.awaitingReply }),
            ("send failed", open.contains(where: \.sendFailed)),
            ("automated", open.contains(where: \.automated)),
            ("finished", conversations.contains { $0.status == .finished }),
            ("unassigned", conversations.contains { $0.assigneeID == nil }),
            ("assigned", conversations.contains { $0.assigneeID != nil }),
            ("with departments", conversations.contains { !$0.departmentIDs.isEmpty }),
            ("without departments", conversations.contains { $0.departmentIDs.isEmpty }),
            ("with tags", conversations.contains { !$0.tagIDs.isEmpty }),
            ("with stages", conversations.contains { !$0.stageIDs.isEmpty }),
            ("ties in last activity", Set(conversations.map(\.lastActivityAt)).count < conversations.count),
            ("several workspaces", Set(conversations.map(\.workspaceID)).count == workspaceCount),
        ]
        for (name, covered) in coverage {
            #expect(covered, "random data has no \(name) conversation; seed=\(seed)")
        }
    }

    /// Derived flags never contradict the status.
    static func checkInvariants(_ conversations: [Conversation], seed: UInt64) {
        for c in conversations where c.status == .finished {
            #expect(!c.awaitingReply && !c.sendFailed && !c.automated && c.unreadCount == 0, "finished with open flags: \(c); seed=\(seed)")
        }
        for c in conversations {
            #expect(c.tagIDs == c.tagIDs.sorted() && c.departmentIDs == c.departmentIDs.sorted() && c.stageIDs == c.stageIDs.sorted())
        }
    }
}
