import Hummingbird
import InboxCore
import InboxStore

/// What connections call: customers' messages coming in, and delivery reports of ours.
/// Authenticated by the connection's own secret (`Authorization: Bearer <secret>`), not by an
/// agent session, since a provider webhook is not a person.
struct InboundController<Store: InboxStore> {
    let store: Store
    let intake: InboundIntake<Store>

    struct InboundBody: Codable {
        struct Sender: Codable {
            var handle: String
            var name: String?
        }
        /// The provider's message id: resending the same id is a no-op.
        var messageID: String
        var from: Sender
        var text: String?
        var attachments: [Attachment]?
        /// When the customer sent it (epoch ms); the server's clock when absent.
        var sentAt: Timestamp?
    }

    struct DeliveryBody: Codable {
        var messageID: MessageID
        var status: DeliveryStatus
        var reason: String?
        var providerMessageID: String?
    }

    struct MessageAnswer: Codable {
        var message: Message
        var conversation: Conversation
        var duplicate: Bool
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("connections/:id/inbound") { request, context in
            let connection = try await authenticate(request, context)
            let body = try await StrictJSONBody.decode(InboundBody.self, from: request)
            let inbound = InboundMessage(
                providerMessageID: body.messageID, handle: body.from.handle, contactName: body.from.name,
                text: body.text ?? "", attachments: body.attachments ?? [], sentAt: body.sentAt)
            let result = try await intake.receive(inbound, on: connection.id, in: connection.workspaceID)
            return try WireJSON.response(
                MessageAnswer(message: result.message, conversation: result.conversation, duplicate: result.duplicate),
                status: result.duplicate ? .ok : .created)
        }
        group.post("connections/:id/delivery") { request, context in
            let connection = try await authenticate(request, context)
            let body = try await StrictJSONBody.decode(DeliveryBody.self, from: request)
            let update = DeliveryUpdate(
                messageID: body.messageID, status: body.status, failureReason: body.reason,
                providerMessageID: body.providerMessageID, connectionID: connection.id)
            let result = try await store.updateDelivery(update, in: connection.workspaceID)
            return try WireJSON.response(MessageAnswer(message: result.message, conversation: result.conversation, duplicate: result.duplicate))
        }
    }

    /// The connection named in the path, if the bearer secret is its own and it is active.
    private func authenticate(_ request: Request, _ context: AppRequestContext) async throws -> Connection {
        let id: ConnectionID = try context.id("id", entity: "connection")
        guard let secret = SessionResolver<Store>.bearerToken(request) else {
            throw APIError(.unauthorized, "unauthorized", "send the connection secret as a bearer token")
        }
        // Unknown connection and wrong secret answer alike: ids are not secrets, but no need to confirm them.
        guard let (connection, secretHash) = try await store.connectionCredentials(id),
              Secrets.constantTimeEquals(Secrets.hash(secret), secretHash)
        else { throw APIError(.unauthorized, "invalid_credentials", "unknown connection or wrong secret") }
        guard connection.active else { throw APIError.forbidden("this connection is deactivated") }
        return connection
    }
}
