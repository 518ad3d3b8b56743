import Foundation
import HTTPTypes
import InboxCore
import InboxServer
import InboxStore
import Testing

/// Live sockets on port 0: snapshots, then upsert / remove / count for each filter dimension.
@Suite struct RealtimeListTests {
    @Test func snapshotThenLiveDeltasForEachDimension() async throws {
        try await LiveServer.run { server in
            let f = server.fixture
            let socket = try await server.socket("admin@acme.test")
            socket.send(["type": "subscribe", "id": "1", "sub": "open", "filter": ["statuses": ["open"]], "pageSize": 10])
            socket.send(["type": "subscribe", "id": "2", "sub": "vip", "filter": ["tagIds": [f.vip.rawValue]]])
            socket.send(["type": "subscribe", "id": "3", "sub": "proposta", "filter": ["stageIds": [f.proposta.rawValue]]])
            socket.send(["type": "subscribe", "id": "4", "sub": "suporte", "filter": ["departmentIds": [f.suporte.rawValue], "statuses": ["open"]]])
            socket.send(["type": "subscribe", "id": "5", "sub": "instagram", "filter": ["connectionIds": [f.instagram.rawValue]], "pageSize": 0])
            socket.send(["type": "subscribe", "id": "6", "sub": "unassigned", "filter": ["scope": "unassigned", "statuses": ["open"]], "pageSize": 0])
            let open = try await socket.next("snapshot") { $0["sub"] as? String == "open" }
            #expect(open["id"] as? String == "1")
            #expect(open.int("total") == 4)
            #expect((open["items"] as? [[String: Any]])?.compactMap { ($0["id"] as? NSNumber)?.int64Value } == f.ids(4, 3, 2, 1))
            let counted = try await socket.next("snapshot") { $0["sub"] as? String == "instagram" }
            #expect(counted.int("total") == 2)
            #expect((counted["items"] as? [Any])?.isEmpty == true)
            for sub in ["vip", "proposta", "suporte", "unassigned"] { _ = try await socket.next("snapshot") { $0["sub"] as? String == sub } }

            // A new customer writes on Instagram: enters "open", "unassigned" and counts on "instagram".
            let created = try await f.store.receiveInbound(
                InboundMessage(providerMessageID: "rt-1", handle: "+55 48 9999", contactName: "Nova", text: "Oi"), on: f.instagram, in: f.acme)
            let enter = try await socket.next("change") { $0.int("conversationId") == created.conversation.id.rawValue }
            #expect(enter.list("open")?["op"] as? String == "upsert")
            #expect(enter.list("open")?["total"] as? Int == 5)
            #expect(enter.list("instagram")?["op"] as? String == "count")
            #expect(enter.list("instagram")?["total"] as? Int == 3)
            #expect(enter.list("unassigned")?["total"] as? Int == 3)
            #expect(enter.list("vip") == nil)
            #expect((enter["conversation"] as? [String: Any])?["contactName"] as? String == "Nova")

            // The CRM tags the lead VIP and moves it to Suporte: it enters those lists.
            let contact = created.conversation.contactID
            _ = try await f.store.upsertContact(
                ContactUpsert(externalID: "nova", name: "Nova", handles: [ContactHandle(connectionID: f.instagram, handle: "+55 48 9999")],
                              tagIDs: [f.vip], departmentIDs: [f.suporte]), in: f.acme)
            let tagged = try await socket.next("change") { $0.list("vip") != nil }
            #expect(tagged.list("vip")?["op"] as? String == "upsert")
            #expect(tagged.list("vip")?["total"] as? Int == 2)
            #expect(tagged.list("suporte")?["total"] as? Int == 2)
            #expect(tagged.list("open")?["op"] as? String == "upsert", "still open: an update in place")
            _ = contact

            // A deal at Proposta enters the stage list.
            _ = try await f.store.upsertDeal(DealUpsert(externalID: "nova-deal", contact: .externalID("nova"), stageID: f.proposta, title: "Plano", valueCents: nil), in: f.acme)
            let staged = try await socket.next("change") { $0.list("proposta") != nil }
            #expect(staged.list("proposta")?["op"] as? String == "upsert")
            #expect(staged.list("proposta")?["total"] as? Int == 2)

            // Claimed: leaves "unassigned" (count).
            _ = try await f.store.assign(AssignmentChange(conversationID: created.conversation.id, condition: .init(assignee: .unassigned), assigneeID: f.suporteAgent.id), in: f.acme)
            let claimed = try await socket.next("change") { $0.list("unassigned") != nil }
            #expect(claimed.list("unassigned")?["total"] as? Int == 2)

            // Finished: removed from the open lists with the reason.
            _ = try await f.store.finish(created.conversation.id, in: f.acme)
            let finished = try await socket.next("change") { $0.list("open")?["op"] as? String == "remove" }
            #expect(finished.list("open")?["reason"] as? String == "finished")
            #expect(finished.list("open")?["total"] as? Int == 4)
            #expect(finished.list("suporte")?["reason"] as? String == "finished")
            #expect(finished.list("vip")?["op"] as? String == "upsert", "VIP lists every status")
            socket.close()
        }
    }

    @Test func agentsNeverReceiveWhatTheyCannotSee() async throws {
        try await LiveServer.run { server in
            let f = server.fixture
            let vendas = try await server.socket("vendas@acme.test")
            vendas.send(["type": "subscribe", "id": "1", "sub": "all", "filter": [:] as [String: Any]])
            let snapshot = try await vendas.next("snapshot")
            #expect(snapshot.int("total") == 3)
            // Conversation 1 (Vendas) moves to Suporte: the Vendas agent loses it, without its content.
            _ = try await f.store.assign(AssignmentChange(conversationID: f.conversations[0], condition: .init(), assigneeID: nil, departmentIDs: [f.suporte]), in: f.acme)
            let lost = try await vendas.next("change")
            #expect(lost.list("all")?["op"] as? String == "remove")
            #expect(lost.list("all")?["reason"] as? String == "not_visible")
            #expect(lost["conversation"] == nil, "no content of a conversation the agent may no longer see")
            // A Suporte conversation changing is never sent to the Vendas agent.
            _ = try await f.store.markRead(f.conversations[1], in: f.acme)
            _ = try await f.store.sendOutbound(OutboundMessage(author: .automation(name: "Bot"), clientMessageID: nil, text: "x"), to: f.conversations[4], in: f.acme)
            vendas.send(["type": "ping", "id": "p"])
            _ = try await vendas.next("pong")
            #expect(vendas.drain().filter { $0.type == "change" }.isEmpty)
        }
    }
}

@Suite struct RealtimePagingTests {
    @Test func pagingFurtherWhileChangesStream() async throws {
        try await LiveServer.run { server in
            let f = server.fixture
            let socket = try await server.socket("admin@acme.test")
            socket.send(["type": "subscribe", "id": "1", "sub": "all", "filter": ["order": "oldest"], "pageSize": 2])
            let snapshot = try await socket.next("snapshot")
            #expect((snapshot["items"] as? [[String: Any]])?.compactMap { ($0["id"] as? NSNumber)?.int64Value } == f.ids(1, 2))
            let cursor = try #require(snapshot["cursor"] as? String)
            // A customer writes into conversation 1: it moves to the end of the oldest-first list.
            _ = try await f.store.receiveInbound(
                InboundMessage(providerMessageID: "pg-1", handle: "+55 11 90001", contactName: nil, text: "De novo"), on: f.whatsapp, in: f.acme)
            let moved = try await socket.next("change")
            #expect(moved.list("all")?["op"] as? String == "upsert")
            #expect((moved["conversation"] as? [String: Any])?["lastMessagePreview"] as? String == "De novo")
            #expect(moved.list("all")?["total"] as? Int == 5)
            socket.send(["type": "more", "id": "2", "sub": "all", "cursor": cursor])
            let page = try await socket.next("page")
            #expect(page["id"] as? String == "2")
            #expect((page["items"] as? [[String: Any]])?.compactMap { ($0["id"] as? NSNumber)?.int64Value } == f.ids(3, 4))
            let next = try #require(page["cursor"] as? String)
            socket.send(["type": "more", "id": "3", "sub": "all", "cursor": next])
            let last = try await socket.next("page")
            #expect((last["items"] as? [[String: Any]])?.compactMap { ($0["id"] as? NSNumber)?.int64Value } == f.ids(5, 1), "conversation 1 is now the most recent")
            #expect(last["cursor"] == nil)
        }
    }
}
