import AsyncHTTPClient
import Crypto
import Foundation
import InboxCore
import InboxStore
import NIOCore
import NIOHTTP1

/// Delivers a message by POSTing it as JSON to the connection's URL.
///
/// The body is signed: `X-Switchboard-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`
/// with `X-Switchboard-Timestamp` (epoch ms), so the gateway can check it came from us and is
/// fresh. `X-Switchboard-Delivery` carries the message id: a retried delivery repeats it, for
/// the gateway to de-duplicate. A 2xx is "sent"; 408, 429, 5xx, timeouts and network errors
/// are retried; any other answer fails the message.
struct WebhookAdapter: Sendable {
    let client: HTTPClient
    let timeout: TimeAmount

    /// What the gateway receives.
    struct Payload: Codable {
        struct Author: Codable {
            var agentID: AgentID?
            var name: String
        }
        var event = "message"
        var messageID: MessageID
        var conversationID: ConversationID
        var connectionID: ConnectionID
        var workspaceID: WorkspaceID
        /// The customer's handle on the connection.
        var to: String
        var contactName: String
        var text: String
        var attachments: [Attachment]
        var automated: Bool
        var author: Author
        var attempt: Int
        var createdAt: Timestamp
    }

    /// What a gateway may answer with a 2xx (optional).
    struct Acceptance: Decodable {
        var providerMessageID: String?
    }

    func deliver(_ delivery: PendingDelivery, at time: Timestamp) async -> DeliveryAttemptResult {
        guard let url = delivery.connection.outbound.url else { return .failed(reason: "the connection has no webhook URL") }
        let message = delivery.message
        let payload = Payload(
            messageID: message.id, conversationID: message.conversationID, connectionID: delivery.connection.id,
            workspaceID: message.workspaceID, to: delivery.recipient, contactName: delivery.contactName, text: message.text,
            attachments: message.attachments, automated: message.automated,
            author: .init(agentID: message.authorAgentID, name: message.authorName), attempt: delivery.attempt, createdAt: message.createdAt)
        guard let body = try? WireJSON.encoder.encode(payload) else { return .failed(reason: "the message could not be encoded") }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Switchboard-Webhook/1")
        request.headers.add(name: "X-Switchboard-Delivery", value: String(message.id.rawValue))
        request.headers.add(name: "X-Switchboard-Timestamp", value: String(time.milliseconds))
        request.headers.add(name: "X-Switchboard-Signature", value: Self.signature(body: body, timestamp: time, secret: delivery.signingSecret ?? ""))
        request.body = .bytes(ByteBuffer(bytes: body))
        let prepared = request
        do {
            // The deadline covers the whole exchange: a gateway that answers its head and then
            // drips the body must not hold a delivery slot (or outlive the message's lease).
            let (status, answer) = try await withThrowingTaskGroup(of: (UInt, ByteBuffer).self) { group in
                group.addTask {
                    let response = try await client.execute(prepared, timeout: timeout)
                    return (response.status.code, try await response.body.collect(upTo: 64 * 1024))
                }
                group.addTask {
                    try await Task.sleep(for: .nanoseconds(timeout.nanoseconds))
                    throw DeliveryTimeout()
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
            switch status {
            case 200..<300:
                let accepted = try? WireJSON.decoder.decode(Acceptance.self, from: Data(answer.readableBytesView))
                return .sent(providerMessageID: accepted?.providerMessageID)
            case 408, 429, 500...:
                return .retry(reason: "gateway answered \(status)")
            default:
                return .failed(reason: "gateway refused the message (\(status))")
            }
        } catch is DeliveryTimeout {
            return .retry(reason: "gateway did not answer within \(timeout.nanoseconds / 1_000_000) ms")
        } catch {
            return .retry(reason: "gateway unreachable: \(Self.describe(error))")
        }
    }

    struct DeliveryTimeout: Error {}

    /// An HTTP client for gateways: redirects are refused (a 3xx fails the message, it is never
    /// re-sent elsewhere), connecting and each read are bounded.
    static func makeClient(timeout: TimeAmount) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: timeout))
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// `sha256=` and the hex HMAC-SHA256 of `"<timestamp>.<body>"`.
    static func signature(body: Data, timestamp: Timestamp, secret: String) -> String {
        var signed = Data("\(timestamp.milliseconds).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return String(describing: error) }
        return String(describing: type(of: error))
    }
}
