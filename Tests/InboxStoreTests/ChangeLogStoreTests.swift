import InboxCore
import InboxStore
import Testing

@Suite("Store: change log")
struct ChangeLogStoreTests {
    /// Runs a deterministic mix of every conversation-changing operation over two workspaces,
    /// interleaved, and returns the change entries each call reported, per workspace.
    static func mixedOperations(_ db: TestDatabase) async throws -> [WorkspaceID: [ChangeLogEntry]] {
        let store = db.store
        var reported: [WorkspaceID: [ChangeLogEntry]] = [:]
        var worlds: [(WorkspaceID, ConnectionID, Agent, StageID, TagID)] = []
        for slug in ["a", "b"] {
            let ws = try await store.makeWorkspace(slug).id
            let stage = try await store.createPipeline(name: "P", stageNames: ["S1"], in: ws).stages[0].id
            worlds.append((ws, try await store.makeConnection(in: ws).id, try await store.makeAgent("Bia", in: ws), stage, try await store.createTag(name: "T", color: "#fff", in: ws).id))
        }
        for round in 0..<6 {
            for (ws, connection, agent, stage, tag) in worlds {
                db.clock.advance(by: 10)
                var entries: [ChangeLogEntry] = []
                let handle = "h\(round % 3)"
                if round < 3 {
                    _ = try await store.upsertContact(ContactUpsert(externalID: handle, name: "C\(round)", handles: [.init(connectionID: connection, handle: handle)]), in: ws)
                }
                let inbound = try await store.inbound("p\(round)", from: handle, on: connection, in: ws)
                entries += inbound.changes
                let id = inbound.conversation.id
                let sent = try await store.reply(id, in: ws, by: round.isMultiple(of: 2) ? .agent(agent.id) : .automation(name: "Bot"))
                entries += sent.changes
                entries += try await store.updateDelivery(DeliveryUpdate(messageID: sent.message.id, status: .failed), in: ws).changes
                entries += try await store.upsertContact(ContactUpsert(externalID: handle, name: "C\(round)", tagIDs: round.isMultiple(of: 2) ? [tag] : []), in: ws).changes
                entries += try await store.upsertDeal(DealUpsert(externalID: "d\(round % 3)", contact: .externalID(handle), stageID: stage, title: "D", valueCents: nil), in: ws).changes
                if case .changed(let result) = try await store.assign(AssignmentChange(conversationID: id, condition: .init(), assigneeID: round.isMultiple(of: 3) ? nil : agent.id), in: ws) {
                    entries += result.changes
                }
                entries += try await store.markRead(id, in: ws).changes
                entries += try await store.finish(id, in: ws).changes
                if round.isMultiple(of: 2) { entries += try await store.reopen(id, in: ws).changes }
                reported[ws, default: []] += entries
            }
        }
        return reported
    }

    @Test(arguments: StoreKind.allCases)
    func sequencesAreGaplessPerWorkspaceAndVersionsGrow(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind)
        let reported = try await Self.mixedOperations(db)
        #expect(reported.count == 2)
        for (ws, entries) in reported {
            let log = try await db.store.allChanges(in: ws)
            #expect(log.count > 40)
            #expect(log.map(\.sequence) == Array(1...Int64(log.count)), "gaps or disorder in workspace \(ws)")
            #expect(log == entries, "the log differs from what the writes reported")
            #expect(try await db.store.latestSequence(in: ws) == Int64(log.count))
            #expect(log.allSatisfy { $0.workspaceID == ws && $0.conversation.workspaceID == ws })
            #expect(Set(log.map(\.kind)).isSuperset(of: [.created, .messageAdded, .messageUpdated, .assigned, .finished, .reopened, .leadUpdated, .read]))
            var lastVersion: [ConversationID: Int64] = [:]
            for entry in log {
                let previous = lastVersion[entry.conversation.id] ?? 0
                #expect(entry.conversation.version > previous, "version did not grow at sequence \(entry.sequence)")
                lastVersion[entry.conversation.id] = entry.conversation.version
            }
            for (id, version) in lastVersion {
                #expect(try await db.store.conversation(id, in: ws).version == version)
            }
            let middle = try await db.store.changes(in: ws, after: 10, limit: 5)
            #expect(middle.map(\.sequence) == [11, 12, 13, 14, 15] && middle == Array(log[10..<15]))
            #expect(try await db.store.changes(in: ws, after: Int64(log.count), limit: 5).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func entriesAreStampedWithTheClock(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind)
        let ws = try await db.store.makeWorkspace("a").id
        let connection = try await db.store.makeConnection(in: ws).id
        db.clock.advance(by: 5_000)
        let result = try await db.store.inbound("p1", from: "ana", on: connection, in: ws)
        #expect(result.changes.first?.createdAt == db.clock.now)
        #expect(try await db.store.allChanges(in: ws).map(\.createdAt) == [db.clock.now])
    }

    @Test(arguments: StoreKind.allCases)
    func pruneKeepsTheNewestN(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind)
        let store = db.store
        let a = try await store.makeWorkspace("a").id, b = try await store.makeWorkspace("b").id
        let ca = try await store.makeConnection(in: a).id, cb = try await store.makeConnection(in: b).id
        for i in 0..<10 {
            db.clock.advance()
            try await store.inbound("a\(i)", from: "x", on: ca, in: a)
            if i < 2 { try await store.inbound("b\(i)", from: "x", on: cb, in: b) }
        }
        #expect(try await store.pruneChangeLog(olderThan: Timestamp(milliseconds: 0), keepAtLeast: 0) == 0) // nothing that old
        let deleted = try await store.pruneChangeLog(olderThan: db.clock.now.adding(milliseconds: 1), keepAtLeast: 3)
        #expect(deleted == 7)
        #expect(try await store.allChanges(in: a).map(\.sequence) == [8, 9, 10])
        #expect(try await store.allChanges(in: b).map(\.sequence) == [1, 2]) // fewer than 3: all kept
        #expect(try await store.latestSequence(in: a) == 10)
        // Appending after a prune continues the sequence.
        try await store.inbound("a10", from: "x", on: ca, in: a)
        #expect(try await store.allChanges(in: a).map(\.sequence) == [8, 9, 10, 11])
        // Only entries older than the cutoff go, even beyond keepAtLeast.
        let cutoff = db.clock.now.adding(milliseconds: -1_500) // only entry 8 is older; 9, 10 and 11 are not
        #expect(try await store.pruneChangeLog(olderThan: cutoff, keepAtLeast: 0) == 3) // and both of b's
        #expect(try await store.allChanges(in: a).map(\.sequence) == [9, 10, 11])
        #expect(try await store.allChanges(in: b).isEmpty)
    }
}
