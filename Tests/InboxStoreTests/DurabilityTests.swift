import Foundation
import InboxCore
import InboxStore
import Testing

@Suite("Store: SQLite configuration")
struct DurabilityTests {
    @Test func fileStoresUseWAL() throws {
        let db = try TestDatabase(.file)
        #expect(try db.store.journalMode() == "wal")
    }

    @Test(arguments: [(SQLiteStore.Durability.full, 2), (.normal, 1)])
    func durabilitySetsSynchronous(_ durability: SQLiteStore.Durability, _ level: Int) throws {
        let db = try TestDatabase(.file, durability: durability)
        #expect(try db.store.synchronousLevel() == level)
    }

    @Test func defaultDurabilityIsNormal() throws {
        #expect(SQLiteStore.Configuration(path: nil).durability == .normal)
    }

    @Test func fileSurvivesReopening() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-reopen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("inbox.sqlite").path
        let clock = TestClock()
        let conversation: Conversation
        do {
            let store = try SQLiteStore(.init(path: path, now: clock.closure))
            let ws = try await store.makeWorkspace("a").id
            let connection = try await store.makeConnection(in: ws).id
            conversation = try await store.inbound("p1", from: "ana", on: connection, in: ws).conversation
        }
        let reopened = try SQLiteStore(.init(path: path, durability: .full, now: clock.closure)) // migrations run again harmlessly
        #expect(try await reopened.conversation(conversation.id, in: conversation.workspaceID) == conversation)
        #expect(try await reopened.latestSequence(in: conversation.workspaceID) == 1)
        #expect(try reopened.synchronousLevel() == 2)
    }
}
