import Foundation
import InboxCore
import InboxServer
import InboxStore
import Testing

/// Commands on the socket: the answers a client matches by `id`, and every kind of bad command,
/// after which the connection keeps working.
@Suite struct RealtimeCommandTests {
    @Test func commandsAnswerResultsAndTheStreamCarriesTheState() async throws {
        try await LiveServer.run { server in
            let f = server.fixture
            let agent = try await server.socket("vendas@acme.test")
            agent.send(["type": "subscribe", "id": "s", "sub": "mine", "filter": ["scope": "mine"], "pageSize": 50])
            _ = try await agent.next("snapshot")
            agent.send(["type": "claim", "id": "c", "conversationId": f.conversations[0].rawValue])
            let result = try await agent.next("result")
            #expect(result["id"] as? String == "c")
            let seq = try #require(result.int("seq"))
            let change = try await agent.next("change")
            #expect(change.int("seq") == seq)
            #expect(change.list("mine")?["op"] as? String == "upsert")
            #expect(change.int("version") == result.int("version"))

            agent.send(["type": "send", "id": "m", "conversationId": f.conversations[0].rawValue, "clientMessageId": "ws-1", "text": "Olá!"])
            let sent = try await agent.next("result")
            #expect(sent.int("messageId") != nil)
            #expect(sent["duplicate"] as? Bool == false)
            agent.send(["type": "finish", "id": "f", "conversationId": f.conversations[0].rawValue, "version": 1])
            let stale = try await agent.next("error")
            #expect(stale["id"] as? String == "f")
            #expect(stale["code"] as? String == "conflict")
            #expect(stale["reason"] as? String == "version_changed")
        }
    }

    @Test func badCommandsGetErrorsAndTheConnectionStaysOpen() async throws {
        try await LiveServer.run { server in
            let f = server.fixture
            let socket = try await server.socket("vendas@acme.test")
            let cases: [(String, String)] = [
                (#"{"type":"claim","id":"1"}"#, "missing_field"),
                (#"{"type":"claim","id":"2","conversationId":"c1"}"#, "invalid_field"),
                (#"{"type":"claim","id":"3","conversationId":1,"versoin":2}"#, "unknown_field"),
                (#"{"type":"claim","id":"4","conversationId":999999}"#, "not_found"),
                (#"{"type":"claim","id":"5","conversationId":\#(f.otherConversation.rawValue)}"#, "not_found"),
                (#"{"type":"release","id":"6","conversationId":\#(f.conversations[1].rawValue)}"#, "not_found"),
                (#"{"type":"transfer","id":"7","conversationId":\#(f.conversations[3].rawValue)}"#, "invalid_field"),
                (#"{"type":"send","id":"8","conversationId":\#(f.conversations[0].rawValue),"clientMessageId":"x","text":"oi"}"#, "forbidden"),
                (#"{"type":"add_tag","id":"9","conversationId":\#(f.conversations[3].rawValue),"tagId":\#(f.otherTag.rawValue)}"#, "invalid_reference"),
                (#"{"type":"resend","id":"10","messageId":999999}"#, "not_found"),
                (#"{"type":"bulk","id":"11","idempotencyKey":"k","action":{"type":"finish","agentId":1},"conversationIds":[1]}"#, "invalid_field"),
                (#"{"type":"bulk","id":"12","idempotencyKey":"k","action":{"type":"explode"},"conversationIds":[1]}"#, "invalid_field"),
                (#"{"type":"bulk","id":"13","idempotencyKey":"k","action":{"type":"finish"}}"#, "invalid_field"),
            ]
            for (text, code) in cases {
                socket.sendText(text)
                let error = try await socket.next("error")
                #expect(error["code"] as? String == code, "\(text) answered \(error.object)")
            }
            socket.send(["type": "ping", "id": "alive"])
            #expect(try await socket.next("pong")["id"] as? String == "alive")
            #expect(try await f.store.conversation(f.conversations[3], in: f.acme).assigneeID == f.vendasAgent.id)
        }
    }
}
