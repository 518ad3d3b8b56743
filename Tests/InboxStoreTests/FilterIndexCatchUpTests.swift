import Foundation
import InboxCore
import InboxStore
import Testing

/// The filter index follows the change log lazily: each query corrects the index's answer with
/// the conversations changed since the index's sequence, then brings the index forward. These
/// tests make the index trail the database on purpose (writes between queries, a pruned log)
/// and hold every answer to `ConversationFilter.matches` on the data as it is.
@Suite("Filter index: exact while it trails the change log")
struct FilterIndexCatchUpTests {
    @Test(arguments: [SQLiteStore.QueryPlanning.automatic, .filterIndex])
    func answersStayExactAcrossWritesBetweenQueries(_ planning: SQLiteStore.QueryPlanning) async throws {
        let seed = SplitMix64.seedFromEnvironment()
        let db = try TestDatabase(.memory, planning: planning)
        var world = RandomWorld(store: db.store, clock: db.clock, rng: SplitMix64(seed: seed))
        var workspaces = try await world.build(workspaces: 3)
        var everything: [WorkspaceID: [Conversation]] = [:]
        for w in workspaces { everything[w.id] = try await Self.everything(in: w, db.store) }
        var failures = 0
        let cases = 250
        for number in 0..<cases where failures < 5 {
            let target = world.rng.int(0...(workspaces.count - 1))
            if world.rng.chance(0.6) {
                // Writes the index has not seen, from one to many, before this query.
                try await world.churn(&workspaces[target], operations: world.rng.pick([1, 1, 2, 5, 30]))
                everything[workspaces[target].id] = try await Self.everything(in: workspaces[target], db.store)
            }
            let w = workspaces[target]
            let filter = FilterPropertyTests.randomFilter(&world.rng, own: w, all: workspaces)
            let viewer = FilterPropertyTests.randomViewer(&world.rng, own: w, all: workspaces)
            let expected = everything[w.id]!.filter { filter.matches($0, viewer: viewer) }
                .sorted { $0.sortKey.precedes($1.sortKey, in: filter.order) }
            let counting = world.rng.chance(0.3)
            let page = try await db.store.listConversations(filter, viewer: viewer, after: nil, limit: 10, includeTotal: true)
            let count = counting ? try await db.store.countConversations(filter, viewer: viewer) : expected.count
            if page.items != Array(expected.prefix(10)) || page.total != expected.count || count != expected.count {
                failures += 1
                Issue.record("""
                    case \(number): page \(page.items.map(\.id)) total \(page.total ?? -1) count \(count), \
                    expected \(expected.prefix(10).map(\.id)) total \(expected.count); seed=\(seed) filter=\(filter) viewer=\(viewer)
                    """)
            }
        }
        #expect(failures == 0, "seed=\(seed)")
    }

    @Test func aPrunedChangeLogStillGivesExactAnswers() async throws {
        let seed = SplitMix64.seedFromEnvironment()
        let db = try TestDatabase(.memory)
        var world = RandomWorld(store: db.store, clock: db.clock, rng: SplitMix64(seed: seed))
        var workspaces = try await world.build(workspaces: 2)
        try await db.store.warmFilterIndexes() // the server's start: every index loaded here
        try await world.churn(&workspaces[0], operations: 60)
        // The entries the index would need are gone from the log.
        db.clock.advance(by: 86_400_000)
        _ = try await db.store.pruneChangeLog(olderThan: db.clock.now, keepAtLeast: 0)

        let w = workspaces[0]
        let everything = try await Self.everything(in: w, db.store)
        var rng = world.rng
        for _ in 0..<40 {
            let filter = FilterPropertyTests.randomFilter(&rng, own: w, all: workspaces)
            let viewer = FilterPropertyTests.randomViewer(&rng, own: w, all: workspaces)
            let expected = everything.filter { filter.matches($0, viewer: viewer) }
                .sorted { $0.sortKey.precedes($1.sortKey, in: filter.order) }
            let page = try await db.store.listConversations(filter, viewer: viewer, after: nil, limit: 10, includeTotal: true)
            #expect(page.items == Array(expected.prefix(10)), "seed=\(seed) filter=\(filter)")
            #expect(page.total == expected.count, "seed=\(seed) filter=\(filter)")
        }
    }

    @Test func aSparseFilterPageReflectsChangesTheIndexHasNotSeen() async throws {
        // Conversations share a rare tag; the index learns of them, then one loses the tag, one
        // is finished and three gain it, all before the next query.
        let db = try TestDatabase(.memory)
        let store = db.store
        let workspace = try await store.makeWorkspace("sparse").id
        let connection = try await store.makeConnection(in: workspace).id
        let admin = try await store.makeAgent("Admin", in: workspace, role: .admin).viewer
        let rare = try await store.createTag(name: "Raro", color: "#123456", in: workspace).id
        var conversations: [Conversation] = []
        for index in 0..<40 {
            db.clock.advance(by: 1_000)
            conversations.append(try await store.inbound("p\(index)", from: "c\(index)", on: connection, in: workspace).conversation)
        }
        func tag(_ index: Int, _ present: Bool) async throws {
            _ = try await store.setLeadTag(rare, present: present, on: conversations[index].contactID, in: workspace)
        }
        let ids = conversations.map(\.id)
        try await tag(3, true)
        try await tag(7, true)
        try await tag(9, true)
        let filter = ConversationFilter(statuses: [.open], tagIDs: [rare])
        let before = try await store.listConversations(filter, viewer: admin, after: nil, limit: 5, includeTotal: true)
        #expect(before.items.map(\.id) == [ids[9], ids[7], ids[3]])

        try await tag(7, false)
        _ = try await store.finish(ids[3], in: workspace)
        try await tag(20, true)
        try await tag(25, true)
        try await tag(30, true)
        let after = try await store.listConversations(filter, viewer: admin, after: nil, limit: 5, includeTotal: true)
        #expect(after.items.map(\.id) == [ids[30], ids[25], ids[20], ids[9]])
        #expect(after.total == 4)
        #expect(try await store.countConversations(ConversationFilter(tagIDs: [rare]), viewer: admin) == 5)
    }

    static func everything(in w: RandomWorkspace, _ store: SQLiteStore) async throws -> [Conversation] {
        var result: [Conversation] = []
        for id in w.conversations { result.append(try await store.conversation(id, in: w.id)) }
        return result
    }
}
