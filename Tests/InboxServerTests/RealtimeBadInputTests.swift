import Foundation
import HTTPTypes
import HummingbirdTesting
import InboxCore
import InboxServer
import InboxStore
import NIOCore
import NIOWebSocket
import Testing

/// Every way in which a client can misbehave on the socket, and what it gets.
@Suite struct RealtimeBadInputTests {
    @Test func badRequestsGetErrorsAndTheConnectionStaysOpen() async throws {
        try await LiveServer.run { server in
            let f = server.fixture
            let socket = try await server.socket("admin@acme.test")
            let cases: [(String, String)] = [
                ("{not json", "malformed_json"),
                ("[1,2,3]", "malformed_json"),
                (#"{"id":"1"}"#, "missing_field"),
                (#"{"type":"teleport","id":"2"}"#, "unknown_type"),
                (#"{"type":"subscribe","id":"3","sub":"x","filter":{"scope":"everyone"}}"#, "invalid_field"),
                (#"{"type":"subscribe","id":"4","sub":"x","filter":{"tagIds":"vip"}}"#, "invalid_field"),
                (#"{"type":"subscribe","id":"5","sub":"x","filter":{"colour":"red"}}"#, "unknown_field"),
                (#"{"type":"subscribe","id":"6","sub":"has space"}"#, "invalid_field"),
                (#"{"type":"subscribe","id":"7","sub":"x","pageSize":5000}"#, "invalid_field"),
                (#"{"type":"subscribe","id":"8"}"#, "missing_field"),
                (#"{"type":"more","id":"9","sub":"nothing","cursor":"n.1.1"}"#, "unknown_subscription"),
                (#"{"type":"unsubscribe","id":"10","sub":"nothing"}"#, "unknown_subscription"),
            ]
            for (text, code) in cases {
                socket.sendText(text)
                let error = try await socket.next("error")
                #expect(error["code"] as? String == code, "\(text)")
            }
            let manyTags = (1...201).map { $0 }
            socket.send(["type": "subscribe", "id": "11", "sub": "big", "filter": ["tagIds": manyTags]])
            let tooMany = try await socket.next("error")
            #expect(tooMany["code"] as? String == "invalid_filter")
            #expect(tooMany["id"] as? String == "11")
            // Another workspace's ids match nothing: an empty list, never its conversations.
            socket.send(["type": "subscribe", "id": "12", "sub": "foreign", "filter": ["connectionIds": [f.otherConnection.rawValue]]])
            let foreign = try await socket.next("snapshot")
            #expect(foreign.int("total") == 0)
            socket.send(["type": "subscribe", "id": "13", "sub": "x", "pageSize": 1])
            socket.send(["type": "more", "id": "14", "sub": "x", "cursor": "garbage"])
            _ = try await socket.next("snapshot") { $0["sub"] as? String == "x" }
            #expect(try await socket.next("error")["code"] as? String == "invalid_field")
            // Still alive and answering.
            socket.send(["type": "ping", "id": "alive"])
            #expect(try await socket.next("pong")["id"] as? String == "alive")
        }
    }

    @Test func protocolViolationsCloseTheSocket() async throws {
        try await LiveServer.run(realtime: RealtimeConfiguration(maxMessageBytes: 4096, maxFramesPerMessage: 8)) { server in
            let token = try await server.login("admin@acme.test")
            // A flood of empty continuation frames is closed, not buffered.
            let flood = try await LiveSocket.connect(port: server.port, token: token)
            flood.sendRaw(WebSocketFrame(fin: false, opcode: .text, data: ByteBuffer(string: "{")))
            for _ in 0..<1_000 { flood.sendRaw(WebSocketFrame(fin: false, opcode: .continuation, data: ByteBuffer())) }
            #expect(await flood.closed().code == 1008)
            // An oversized message.
            let big = try await LiveSocket.connect(port: server.port, token: token)
            big.sendText(#"{"type":"ping","id":""# + String(repeating: "x", count: 5000) + #""}"#)
            #expect(await big.closed().code == 1009)
            // Binary messages are not part of the protocol.
            let binary = try await LiveSocket.connect(port: server.port, token: token)
            binary.sendRaw(WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: [1, 2, 3])))
            #expect(await binary.closed().code == 1008)
            // The server kept running for everyone else.
            let fine = try await LiveSocket.connect(port: server.port, token: token)
            fine.send(["type": "ping", "id": "still"])
            #expect(try await fine.next("pong")["id"] as? String == "still")
        }
    }

    @Test func tooManyMessagesPerSecondAreClosed() async throws {
        try await LiveServer.run(realtime: RealtimeConfiguration(maxMessagesPerSecond: 5)) { server in
            let socket = try await server.socket("admin@acme.test")
            for index in 0..<50 { socket.send(["type": "ping", "id": "\(index)"]) }
            #expect(await socket.closed().code == 4029)
        }
    }

    @Test func upgradesAreRefusedBeforeTheSocketOpens() async throws {
        try await LiveServer.run(realtime: RealtimeConfiguration(allowedOrigins: ["https://crm.example.com"])) { server in
            let token = try await server.login("admin@acme.test")
            // A refused upgrade never becomes a socket: no hello, no frames.
            for (headers, query) in [([:], ""), ([.origin: "https://evil.example"], ""), ([:], "?ticket=made-up")] as [(HTTPFields, String)] {
                let refused = try await LiveSocket.connect(port: server.port, token: headers[.origin] == nil ? nil : token, headers: headers, query: query, reading: false)
                let outcome = await refused.closed()
                #expect(outcome.ended && outcome.code == nil, "\(headers) \(query) was let in")
            }
            // A plain GET /ws says why, with the codes of protocol.md.
            func refusal(_ headers: HTTPFields, query: String = "") async throws -> (HTTPResponse.Status, String?) {
                try await server.client.execute(uri: "/ws\(query)", method: .get, headers: headers) { response in
                    let object = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                    return (response.status, (object?["error"] as? [String: Any])?["code"] as? String)
                }
            }
            #expect(try await refusal([:]) == (.unauthorized, "unauthorized"))
            #expect(try await refusal([.authorization: "Bearer nope"]) == (.unauthorized, "unauthorized"))
            #expect(try await refusal([.authorization: "Bearer \(token)", .origin: "https://evil.example"]) == (.forbidden, "origin_not_allowed"))
            #expect(try await refusal([.authorization: "Bearer \(token)", .secWebSocketProtocol: "mqtt"]) == (.badRequest, "unsupported_subprotocol"))
            #expect(try await refusal([.authorization: "Bearer \(token)"]) == (.badRequest, "upgrade_required"))
            #expect(try await refusal([:], query: "?ticket=made-up") == (.unauthorized, "invalid_ticket"))
            // An allowed origin and a ticket: the browser way in. The ticket works once.
            let ticket: String = try await server.client.execute(
                uri: "/api/v1/auth/ws-ticket", method: .post, headers: [.authorization: "Bearer \(token)"]
            ) { response in
                #expect(response.status == .created)
                let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                return try #require(object?["ticket"] as? String)
            }
            let browser = try await LiveSocket.connect(port: server.port, token: nil, headers: [.origin: "https://crm.example.com"], query: "?ticket=\(ticket)")
            browser.send(["type": "ping", "id": "b"])
            #expect(try await browser.next("pong")["id"] as? String == "b")
            let reused = try await LiveSocket.connect(port: server.port, token: nil, headers: [.origin: "https://crm.example.com"], query: "?ticket=\(ticket)", reading: false)
            #expect(await reused.closed().code == nil, "a ticket works once")
            // A logged-out session cannot open sockets.
            _ = try await server.client.execute(uri: "/api/v1/auth/logout", method: .post, headers: [.authorization: "Bearer \(token)"]) { _ in }
            #expect(try await refusal([.authorization: "Bearer \(token)"]) == (.unauthorized, "token_expired"))
            let loggedOut = try await LiveSocket.connect(port: server.port, token: token, reading: false)
            #expect(await loggedOut.closed().code == nil)
        }
    }
}

@Suite struct RealtimeSessionTests {
    @Test func endedSessionsCloseTheirSockets() async throws {
        try await LiveServer.run(realtime: RealtimeConfiguration(sessionCheckSeconds: 1)) { server in
            let token = try await server.login("vendas@acme.test")
            let socket = try await LiveSocket.connect(port: server.port, token: token)
            _ = try await server.client.execute(uri: "/api/v1/auth/logout", method: .post, headers: [.authorization: "Bearer \(token)"]) { _ in }
            #expect(await socket.closed(seconds: 5).code == 4001)
        }
    }

    @Test func resubscribingUnderTheSameNameReplacesTheFilter() async throws {
        try await LiveServer.run { server in
            let f = server.fixture
            let socket = try await server.socket("admin@acme.test")
            socket.send(["type": "subscribe", "id": "a", "sub": "list", "filter": ["connectionIds": [f.whatsapp.rawValue]]])
            #expect(try await socket.next("snapshot").int("total") == 3)
            socket.send(["type": "subscribe", "id": "b", "sub": "list", "filter": ["connectionIds": [f.instagram.rawValue]]])
            #expect(try await socket.next("snapshot").int("total") == 2)
            _ = try await f.store.receiveInbound(InboundMessage(providerMessageID: "w1", handle: "+55 1", contactName: nil, text: "wa"), on: f.whatsapp, in: f.acme)
            let instagram = try await f.store.receiveInbound(InboundMessage(providerMessageID: "i1", handle: "+55 2", contactName: nil, text: "ig"), on: f.instagram, in: f.acme)
            let change = try await socket.next("change")
            #expect(change.int("conversationId") == instagram.conversation.id.rawValue, "the WhatsApp change belongs to the replaced filter")
            #expect(change.list("list")?["total"] as? Int == 3)
        }
    }

    @Test func permessageDeflateIsNegotiated() async throws {
        try await LiveServer.run { server in
            let token = try await server.login("admin@acme.test")
            let socket = try await LiveSocket.connect(port: server.port, token: token, deflate: true)
            socket.send(["type": "subscribe", "id": "z", "sub": "all", "pageSize": 200])
            let snapshot = try await socket.next("snapshot")
            #expect((snapshot["items"] as? [Any])?.count == 5)
        }
    }
}

@Suite struct RealtimePermissionTests {
    @Test func changedDepartmentsCloseTheSocketSoTheAgentSubscribesAfresh() async throws {
        try await LiveServer.run(realtime: RealtimeConfiguration(sessionCheckSeconds: 1)) { server in
            let f = server.fixture
            let socket = try await server.socket("vendas@acme.test")
            _ = try await f.store.updateAgent(f.vendasAgent.id, in: f.acme, with: AgentPatch(departmentIDs: [f.suporte]))
            #expect(await socket.closed(seconds: 5).code == 4003)
        }
    }
}
