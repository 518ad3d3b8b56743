import Foundation
import HTTPTypes
import InboxCore
import InboxServer
import InboxStore
import Testing

@Suite struct RealtimeThreadTests {
    @Test func threadsStreamMessagesViewersAndTyping() async throws {
        try await LiveServer.run { server in
            let f = server.fixture
            let conversation = f.conversations[1] // Suporte, assigned to the Suporte agent
            let agent = try await server.socket("suporte@acme.test")
            agent.send(["type": "open_thread", "id": "t1", "conversationId": conversation.rawValue])
            let thread = try await agent.next("thread")
            #expect((thread["messages"] as? [[String: Any]])?.count == 2)
            #expect((thread["viewers"] as? [[String: Any]])?.map { $0["name"] as? String } == ["suporte"])

            let supervisor = try await server.socket("supervisor@acme.test")
            supervisor.send(["type": "open_thread", "id": "t2", "conversationId": conversation.rawValue])
            _ = try await supervisor.next("thread")
            let joined = try await agent.next("viewers")
            #expect((joined["viewers"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["supervisor", "suporte"])

            // Collision detection: the supervisor starts typing; it expires by itself.
            supervisor.send(["type": "typing", "conversationId": conversation.rawValue])
            let typing = try await agent.next("viewers")
            #expect((typing["viewers"] as? [[String: Any]])?.first { $0["name"] as? String == "supervisor" }?["typing"] as? Bool == true)
            f.clock.advance(seconds: 7)
            let stopped = try await agent.next("viewers", seconds: 5)
            #expect((stopped["viewers"] as? [[String: Any]])?.allSatisfy { $0["typing"] as? Bool == false } == true)

            // A customer message and a delivery report reach every viewer of the thread.
            _ = try await f.store.receiveInbound(
                InboundMessage(providerMessageID: "th-1", handle: "+55 11 90002", contactName: nil, text: "Alguém aí?"), on: f.instagram, in: f.acme)
            for socket in [agent, supervisor] {
                let change = try await socket.next("thread_change")
                #expect((change["message"] as? [String: Any])?["text"] as? String == "Alguém aí?")
                #expect(change["kind"] as? String == "message_added")
            }
            let reply = try await f.store.sendOutbound(OutboundMessage(author: .agent(f.suporteAgent.id), clientMessageID: "th-r", text: "Sim!"), to: conversation, in: f.acme)
            _ = try await f.store.updateDelivery(DeliveryUpdate(messageID: reply.message.id, status: .read), in: f.acme)
            _ = try await agent.next("thread_change") { $0["kind"] as? String == "message_added" }
            let read = try await agent.next("thread_change") { $0["kind"] as? String == "message_updated" }
            #expect((read["message"] as? [String: Any])?["deliveryStatus"] as? String == "read")

            // Transferred to Vendas (and released): the Suporte agent's thread closes, content-free.
            _ = try await f.store.assign(AssignmentChange(conversationID: conversation, condition: .init(), assigneeID: nil, departmentIDs: [f.vendas]), in: f.acme)
            let closed = try await agent.next("thread_closed")
            #expect(closed["reason"] as? String == "not_visible")
            #expect(closed["conversation"] == nil)
            _ = try await supervisor.next("thread_change") { $0["kind"] as? String == "assigned" }
            let left = try await supervisor.next("viewers") { ($0["viewers"] as? [Any])?.count == 1 }
            #expect((left["viewers"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["supervisor"])

            // Threads of invisible or unknown conversations do not open.
            agent.send(["type": "open_thread", "id": "t3", "conversationId": conversation.rawValue])
            #expect(try await agent.next("error")["code"] as? String == "not_found")
            agent.send(["type": "open_thread", "id": "t4", "conversationId": f.otherConversation.rawValue])
            #expect(try await agent.next("error")["code"] as? String == "not_found")
            agent.send(["type": "typing", "conversationId": f.conversations[2].rawValue])
            #expect(try await agent.next("error")["code"] as? String == "thread_not_open")
        }
    }

    @Test func presenceFollowsDepartments() async throws {
        try await LiveServer.run { server in
            let suporte = try await server.socket("suporte@acme.test")
            let supervisor = try await server.socket("supervisor@acme.test")
            let online = try await suporte.next("presence")
            #expect(online.int("agentId") == server.fixture.supervisor.id.rawValue)
            #expect(online["status"] as? String == "online")
            // A Vendas agent shares no department with the Suporte agent: neither sees the other.
            let vendas = try await LiveSocket.connect(port: server.port, token: try await server.login("vendas@acme.test"), reading: false)
            _ = vendas
            supervisor.send(["type": "presence", "id": "p", "status": "away"])
            _ = try await supervisor.next("ok")
            let away = try await suporte.next("presence")
            #expect(away.int("agentId") == server.fixture.supervisor.id.rawValue)
            #expect(away["status"] as? String == "away")
            supervisor.close()
            let offline = try await suporte.next("presence")
            #expect(offline["status"] as? String == "offline")
            #expect(suporte.drain().filter { $0.type == "presence" }.isEmpty, "nothing about the Vendas agent")
            // The hello of a new connection lists who is connected and visible.
            let again = try await server.socket("supervisor@acme.test")
            _ = again
            let fresh = try await LiveSocket.connect(port: server.port, token: try await server.login("admin@acme.test"), reading: true)
            let listed = (fresh.hello?["presence"] as? [[String: Any]])?.compactMap { ($0["agentId"] as? NSNumber)?.int64Value } ?? []
            #expect(Set(listed) == Set([server.fixture.admin.id, server.fixture.suporteAgent.id, server.fixture.supervisor.id, server.fixture.vendasAgent.id].map(\.rawValue)), "everyone connected, itself included")
        }
    }
}
