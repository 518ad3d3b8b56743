import InboxCore
import InboxStore
import Testing

@Suite("Store: listing and counting")
struct ListingStoreTests {
    struct Setup {
        let db: TestDatabase
        let workspace: WorkspaceID
        let admin: Viewer
        var ids: [ConversationID] = []
        var store: SQLiteStore { db.store }

        /// Eight conversations; pairs share a last-activity instant so ties exercise the id order.
        init(_ kind: StoreKind) async throws {
            db = try TestDatabase(kind)
            workspace = try await db.store.makeWorkspace("a").id
            let connection = try await db.store.makeConnection(in: workspace).id
            admin = try await db.store.makeAgent("Admin", in: workspace, role: .admin).viewer
            for i in 0..<8 {
                let sentAt = db.clock.now.adding(milliseconds: -Int64(100 - (i / 2) * 10))
                ids.append(try await db.store.inbound("p\(i)", from: "c\(i)", on: connection, in: workspace, sentAt: sentAt).conversation.id)
            }
        }

        func page(_ filter: ConversationFilter, after cursor: PageCursor? = nil, limit: Int) async throws -> ConversationPage {
            try await store.listConversations(filter, viewer: admin, after: cursor, limit: limit)
        }
    }

    @Test(arguments: StoreKind.allCases, ConversationOrder.allCases)
    func pagesFollowTheOrderWithTies(_ kind: StoreKind, _ order: ConversationOrder) async throws {
        let s = try await Setup(kind)
        let expected = order == .oldest ? s.ids : s.ids.reversed()
        var seen: [ConversationID] = []
        var cursor: PageCursor?
        repeat {
            let page = try await s.page(ConversationFilter(order: order), after: cursor, limit: 3)
            #expect(page.items.count <= 3)
            seen += page.items.map(\.id)
            cursor = page.nextCursor
            #expect(page.sequence == 8)
        } while cursor != nil
        #expect(seen == expected)
        #expect(try await s.store.countConversations(ConversationFilter(order: order), viewer: s.admin) == 8)
    }

    @Test(arguments: StoreKind.allCases)
    func exactPageHasNoCursor(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let all = try await s.page(ConversationFilter(), limit: 8)
        #expect(all.items.count == 8 && all.nextCursor == nil)
        let first = try await s.page(ConversationFilter(), limit: 4)
        let rest = try await s.page(ConversationFilter(), after: first.nextCursor, limit: 4)
        #expect(rest.items.count == 4 && rest.nextCursor == nil)
        // A cursor survives the round trip through its wire form.
        let decoded = try PageCursor(decoding: try #require(first.nextCursor).encoded, order: .newest)
        #expect(try await s.page(ConversationFilter(), after: decoded, limit: 4).items == rest.items)
    }

    @Test(arguments: StoreKind.allCases)
    func rejectsBadLimitsCursorsAndFilters(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        for limit in [0, -1, SQLiteStore.maxPageSize + 1] {
            await #expect(throws: InboxError.invalidField(field: "limit", reason: "1 to \(SQLiteStore.maxPageSize)")) {
                try await s.page(ConversationFilter(), limit: limit)
            }
        }
        let newest = try #require(try await s.page(ConversationFilter(order: .newest), limit: 2).nextCursor)
        await #expect(throws: InboxError.invalidField(field: "cursor", reason: "cursor was issued for the other order")) {
            try await s.page(ConversationFilter(order: .oldest), after: newest, limit: 2)
        }
        let huge = ConversationFilter(tagIDs: Set((1...300).map(TagID.init)))
        await #expect(throws: InboxError.invalidField(field: "tags", reason: "at most 200 ids")) { try await s.page(huge, limit: 2) }
        await #expect(throws: InboxError.self) { try await s.store.countConversations(huge, viewer: s.admin) }
    }

    @Test(arguments: StoreKind.allCases)
    func otherWorkspacesSeeNothing(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let b = try await s.store.makeWorkspace("b").id
        let outsider = try await s.store.makeAgent("Out", in: b, role: .admin).viewer
        #expect(try await s.store.listConversations(ConversationFilter(), viewer: outsider, after: nil, limit: 50).items.isEmpty)
        #expect(try await s.store.countConversations(ConversationFilter(), viewer: outsider) == 0)
        let explain = try await s.store.explainList(ConversationFilter(), viewer: s.admin)
        #expect(!explain.isEmpty)
    }
}
