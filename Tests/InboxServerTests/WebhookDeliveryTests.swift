import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InboxCore
import InboxServer
import InboxStore
import NIOCore
import Synchronization
import Testing

/// A gateway on loopback: records every delivery and answers from a script of statuses
/// (200 once the script runs out).
final class FakeGateway: Sendable {
    struct Delivery: @unchecked Sendable {
        var headers: HTTPFields
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
    }

    let deliveries = Mutex<[Delivery]>([])
    let script = Mutex<[Int]>([])

    func answer(with statuses: [Int]) { script.withLock { $0 = statuses } }
    var received: [Delivery] { deliveries.withLock { $0 } }

    func run(_ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let data = Data((try await request.body.collect(upTo: 1 << 20)).readableBytesView)
            self.deliveries.withLock { $0.append(Delivery(headers: request.headers, body: data)) }
            let status = self.script.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
            let messageID = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["messageId"] as? Int ?? 0
            let answer = status == 200 ? "{\"providerMessageId\":\"gw-\(messageID)\"}" : "{}"
            return Response(status: .init(code: status), body: ResponseBody(byteBuffer: ByteBuffer(string: answer)))
        }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            try await body(try #require(client.port))
        }
    }
}

@Suite struct WebhookDeliveryTests {
    /// Fast retries and the real clock, so backoffs come due.
    static func configure(_ configuration: inout ServerConfiguration) {
        configuration.delivery = DeliveryConfiguration(maxAttempts: 3, baseBackoffMilliseconds: 50, maxBackoffMilliseconds: 200, requestTimeoutMilliseconds: 2_000, pollIntervalMilliseconds: 50)
        configuration.now = Timestamp.now
    }

    @Test func signedDeliveryRetriesThenSucceedsAndReceiptsUpdateTheThread() async throws {
        let gateway = FakeGateway()
        try await gateway.run { gatewayPort in
            try await LiveServer.run(configure: Self.configure) { server in
                let f = server.fixture
                let admin = try await server.login("admin@acme.test")
                let configured = try await server.call(.put, "/api/v1/connections/\(f.whatsapp)/outbound", token: admin,
                                                       json: ["adapter": "webhook", "url": "http://127.0.0.1:\(gatewayPort)/hook"])
                #expect(configured.status == .ok)
                let secret = try #require(configured["signingSecret"] as? String)

                let conversation = f.conversations[0] // Vendas, unassigned, on the WhatsApp connection
                let vendas = try await server.login("vendas@acme.test")
                #expect(try await server.call(.post, "/api/v1/conversations/\(conversation)/claim", token: vendas).status == .ok)
                let socket = try await LiveSocket.connect(port: server.port, token: vendas)
                socket.send(["type": "open_thread", "id": "t", "conversationId": conversation.rawValue])
                _ = try await socket.next("thread")

                gateway.answer(with: [503, 500]) // two transient failures, then accepted
                let sent = try await server.call(.post, "/api/v1/conversations/\(conversation)/messages", token: vendas,
                                                 json: ["clientMessageId": "w-1", "text": "Segue a proposta"])
                #expect(sent.status == .created)
                let messageID = try #require(((sent["message"] as? [String: Any])?["id"] as? NSNumber)?.int64Value)
                #expect((sent["message"] as? [String: Any])?["deliveryStatus"] as? String == "pending")

                // The thread shows it sent once the gateway accepts (after two retries).
                let sentChange = try await socket.next("thread_change", where: { Self.status(of: $0, messageID) == "sent" }, seconds: 10)
                #expect((sentChange["message"] as? [String: Any])?["providerMessageId"] as? String == "gw-\(messageID)")
                let attempts = gateway.received.filter { ($0.json["messageId"] as? NSNumber)?.int64Value == messageID }
                #expect(attempts.count == 3)
                #expect(Set(attempts.map { $0.headers[HTTPField.Name("X-Switchboard-Delivery")!] }) == [String(messageID)])
                #expect(attempts.map { $0.json["attempt"] as? Int } == [1, 2, 3])
                for attempt in attempts {
                    let timestamp = try #require(attempt.headers[HTTPField.Name("X-Switchboard-Timestamp")!])
                    var signed = Data("\(timestamp).".utf8)
                    signed.append(attempt.body)
                    let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
                    #expect(attempt.headers[HTTPField.Name("X-Switchboard-Signature")!] == "sha256=" + mac.map { String(format: "%02x", $0) }.joined())
                    #expect(attempt.json["text"] as? String == "Segue a proposta")
                    #expect(attempt.json["to"] as? String == "+55 11 90001")
                    #expect((attempt.json["author"] as? [String: Any])?["name"] as? String == "vendas")
                }

                // The gateway reports delivered, then read, through the delivery route.
                for status in ["delivered", "read"] {
                    let report = try await server.call(.post, "/api/v1/connections/\(f.whatsapp)/delivery", token: f.whatsappSecret,
                                                       json: ["messageId": messageID, "status": status])
                    #expect(report.status == .ok)
                    _ = try await socket.next("thread_change", where: { Self.status(of: $0, messageID) == status })
                }
                socket.close()
            }
        }
    }

    @Test func failedDeliveriesMarkTheConversationSendFailed() async throws {
        let gateway = FakeGateway()
        try await gateway.run { gatewayPort in
            try await LiveServer.run(configure: Self.configure) { server in
                let f = server.fixture
                let admin = try await server.login("admin@acme.test")
                _ = try await server.call(.put, "/api/v1/connections/\(f.whatsapp)/outbound", token: admin,
                                          json: ["adapter": "webhook", "url": "http://127.0.0.1:\(gatewayPort)/hook"])
                let conversation = f.conversations[0]
                #expect(try await server.call(.post, "/api/v1/conversations/\(conversation)/claim", token: admin).status == .ok)

                // Transient failures until the attempts run out: failed, with the last reason.
                gateway.answer(with: [503, 503, 503])
                let first = try await server.call(.post, "/api/v1/conversations/\(conversation)/messages", token: admin,
                                                  json: ["clientMessageId": "f-1", "text": "Primeira"])
                let firstID = try #require(((first["message"] as? [String: Any])?["id"] as? NSNumber)?.int64Value)
                let failed = try await Self.waitForStatus(server, conversation, firstID, "failed", token: admin)
                #expect((failed["failureReason"] as? String)?.contains("gave up after 3 attempts") == true)
                let listed = try await server.call(.get, "/api/v1/conversations?status=send_failed", token: admin)
                #expect(listed.ids.contains(conversation.rawValue))

                // A refusal (4xx) fails at once, without retrying.
                gateway.answer(with: [422])
                let before = gateway.received.count
                let second = try await server.call(.post, "/api/v1/conversations/\(conversation)/messages", token: admin,
                                                   json: ["clientMessageId": "f-2", "text": "Segunda"])
                let secondID = try #require(((second["message"] as? [String: Any])?["id"] as? NSNumber)?.int64Value)
                let refused = try await Self.waitForStatus(server, conversation, secondID, "failed", token: admin)
                #expect((refused["failureReason"] as? String)?.contains("422") == true)
                #expect(gateway.received.count == before + 1)

                // Resending both (the gateway accepts now) clears "send failed".
                for id in [firstID, secondID] {
                    #expect(try await server.call(.post, "/api/v1/messages/\(id)/resend", token: admin).status == .ok)
                    _ = try await Self.waitForStatus(server, conversation, id, "sent", token: admin)
                }
                let thread = try await server.call(.get, "/api/v1/conversations/\(conversation)", token: admin)
                #expect((thread["conversation"] as? [String: Any])?["sendFailed"] as? Bool == false)
            }
        }
    }

    @Test func sandboxDeliversFailsAndAnswersLikeACustomer() async throws {
        try await LiveServer.run(configure: Self.configure) { server in
            let f = server.fixture
            let admin = try await server.login("admin@acme.test")
            _ = try await server.call(.put, "/api/v1/connections/\(f.whatsapp)/outbound", token: admin,
                                      json: ["adapter": "sandbox", "delayMs": 10, "autoReply": "Obrigado!"])
            let conversation = f.conversations[0]
            _ = try await server.call(.post, "/api/v1/conversations/\(conversation)/claim", token: admin)
            let sent = try await server.call(.post, "/api/v1/conversations/\(conversation)/messages", token: admin,
                                             json: ["clientMessageId": "s-1", "text": "Oi!"])
            let id = try #require(((sent["message"] as? [String: Any])?["id"] as? NSNumber)?.int64Value)
            _ = try await Self.waitForStatus(server, conversation, id, "read", token: admin)
            let reply = try await Self.waitForMessage(server, conversation, token: admin) { $0["text"] as? String == "Obrigado!" }
            #expect(reply["direction"] as? String == "inbound")

            // Every message fails at a failure rate of 1, with a reason.
            _ = try await server.call(.put, "/api/v1/connections/\(f.whatsapp)/outbound", token: admin,
                                      json: ["adapter": "sandbox", "delayMs": 10, "failureRate": 1])
            let doomed = try await server.call(.post, "/api/v1/conversations/\(conversation)/messages", token: admin,
                                               json: ["clientMessageId": "s-2", "text": "Alô?"])
            let doomedID = try #require(((doomed["message"] as? [String: Any])?["id"] as? NSNumber)?.int64Value)
            let failed = try await Self.waitForStatus(server, conversation, doomedID, "failed", token: admin)
            #expect((failed["failureReason"] as? String)?.isEmpty == false)
        }
    }

    static func status(of frame: Frame, _ messageID: Int64) -> String? {
        guard let message = frame["message"] as? [String: Any], (message["id"] as? NSNumber)?.int64Value == messageID else { return nil }
        return message["deliveryStatus"] as? String
    }

    /// Polls the thread (bounded) until the message has `status`.
    static func waitForStatus(_ server: LiveServer, _ conversation: ConversationID, _ messageID: Int64, _ status: String, token: String) async throws -> [String: Any] {
        try await waitForMessage(server, conversation, token: token) {
            ($0["id"] as? NSNumber)?.int64Value == messageID && $0["deliveryStatus"] as? String == status
        }
    }

    static func waitForMessage(_ server: LiveServer, _ conversation: ConversationID, token: String, _ match: ([String: Any]) -> Bool) async throws -> [String: Any] {
        for _ in 0..<200 {
            let thread = try await server.call(.get, "/api/v1/conversations/\(conversation)", token: token)
            if let found = ((thread["messages"] as? [[String: Any]]) ?? []).first(where: match) { return found }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw WaitTimeout()
    }

    struct WaitTimeout: Error {}
}

extension LiveServer {
    /// An HTTP call to the live server.
    func call(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: [String: Any]? = nil) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        }
        return try await client.execute(uri: path, method: method, headers: headers, body: body) { response in
            Reply(status: response.status, headers: response.headers, json: try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)))
        }
    }
}
