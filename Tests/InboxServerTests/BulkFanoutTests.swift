import Foundation
import HTTPTypes
import InboxCore
import InboxServer
import InboxStore
import Testing

/// A bulk transfer of a thousand conversations reaches a subscriber as live deltas, without
/// flooding it: removals carry no conversation body, bursts travel as `batch` messages, and
/// the subscriber's list ends exactly as the store has it.
@Suite struct BulkFanoutTests {
    @Test func aThousandConversationTransferReachesSubscribersAsCompactDeltas() async throws {
        try await LiveServer.run { server in
            let f = server.fixture
            var created: [ConversationID] = []
            for n in 0..<1_000 {
                created.append(try await f.store.receiveInbound(
                    InboundMessage(providerMessageID: "bulk-\(n)", handle: "+55 31 8000\(n)", contactName: "Bulk \(n)", text: "Oi"),
                    on: f.whatsapp, in: f.acme
                ).conversation.id)
            }
            let watcher = try await server.socket("supervisor@acme.test")
            watcher.send(["type": "subscribe", "id": "s", "sub": "queue", "filter": ["scope": "unassigned", "statuses": ["open"]], "pageSize": 50])
            var view = ListView()
            view.apply(snapshot: try await watcher.next("snapshot"))
            #expect(view.totals["queue"] == 1_000 + 2) // the fixture's c1 and c3 wait too

            let supervisor = try await server.login("supervisor@acme.test")
            let started = try await server.call(.post, "/api/v1/bulk", token: supervisor, json: [
                "idempotencyKey": "move-all", "action": ["type": "transfer", "departmentId": f.suporte.rawValue, "agentId": f.suporteAgent.id.rawValue],
                "conversationIds": created.map(\.rawValue),
            ])
            #expect(started.status == .accepted)
            let done = try await watcher.next("run_done", seconds: 120)
            #expect(((done["run"] as? [String: Any])?["counts"] as? [String: Any])?["done"] as? Int == 1_000)

            let latest = try await f.store.latestSequence(in: f.acme)
            let deadline = Date().addingTimeInterval(30)
            var frames: [Frame] = []
            while view.lastSequence < latest, Date() < deadline {
                let drained = watcher.drain()
                frames += drained
                for frame in drained { view.apply(frame) }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(view.lastSequence >= latest)
            let expected = try await f.store.countConversations(
                ConversationFilter(scope: .unassigned, statuses: [.open]), viewer: f.supervisor.viewer)
            #expect(expected == 2)
            #expect(view.totals["queue"] == expected)
            #expect(Set(view.members["queue", default: [:]].keys).isDisjoint(with: created))
            #expect(view.versionsNeverWentBack)
            let changes = frames.filter { $0.type == "change" }
            #expect(changes.count == 1_000)
            // Leaving a list needs no body: only the id, version and the list's new total.
            #expect(changes.allSatisfy { $0["conversation"] == nil && $0.list("queue")?["op"] as? String == "remove" })
            #expect(await watcher.closed(seconds: 0).ended == false)
            watcher.close()
        }
    }
}
