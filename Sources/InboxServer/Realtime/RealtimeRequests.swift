import HTTPTypes
import Foundation
import InboxCore
import InboxStore

/// Parses and dispatches one client message. Every bad input answers an `error` with a stable
/// code (the HTTP API's vocabulary) and the connection stays open.
struct RealtimeRequests<Store: InboxStore> {
    let hub: RealtimeHub<Store>
    let actions: RealtimeActions<Store>
    let configuration: RealtimeConfiguration
    let session: ClientSession

    func handle(_ text: String) async {
        let data = Data(text.utf8)
        var requestID: String?
        do {
            guard let envelope = try? WireJSON.decoder.decode(ClientEnvelope.self, from: data) else {
                _ = try StrictJSONBody.decode(PingMessage.self, from: data) // names the JSON problem
                throw APIError.malformedJSON("every message is a JSON object with a string \"type\"")
            }
            requestID = envelope.id
            switch envelope.type {
            case "subscribe":
                let message = try StrictJSONBody.decode(SubscribeMessage.self, from: data)
                let (name, filter, pageSize) = try validated(message.sub, message.filter, message.pageSize)
                await hub.subscribe(session, name: name, filter: filter, pageSize: pageSize, requestID: message.id)
            case "more":
                let message = try StrictJSONBody.decode(MoreMessage.self, from: data)
                await hub.more(session, name: try SubscriptionName.validate(message.sub), cursor: message.cursor, requestID: message.id)
            case "unsubscribe":
                let message = try StrictJSONBody.decode(UnsubscribeMessage.self, from: data)
                await hub.unsubscribe(session, name: try SubscriptionName.validate(message.sub), requestID: message.id)
            case "resume":
                let message = try StrictJSONBody.decode(ResumeMessage.self, from: data)
                guard message.subscriptions.count <= configuration.maxSubscriptionsPerConnection else {
                    throw APIError(.unprocessableContent, "too_many_subscriptions", "at most \(configuration.maxSubscriptionsPerConnection) subscriptions", field: "subscriptions")
                }
                let requested = try message.subscriptions.map { try validated($0.sub, $0.filter, $0.pageSize) }
                await hub.resume(session, lastSequence: message.lastSeq, requested: requested.map { ($0.0, $0.1, $0.2) }, requestID: message.id)
            case "open_thread":
                let message = try StrictJSONBody.decode(ThreadMessage.self, from: data)
                await hub.openThread(session, conversationID: message.conversationID, requestID: message.id)
            case "close_thread":
                let message = try StrictJSONBody.decode(ThreadMessage.self, from: data)
                await hub.closeThread(session, conversationID: message.conversationID, requestID: message.id)
            case "typing":
                let message = try StrictJSONBody.decode(TypingMessage.self, from: data)
                try await hub.typing(session, conversationID: message.conversationID)
            case "presence":
                let message = try StrictJSONBody.decode(PresenceMessage.self, from: data)
                guard message.status != .offline else {
                    throw APIError(.unprocessableContent, "invalid_field", "a connected agent is online or away", field: "status")
                }
                await hub.setPresence(session, message.status)
                if let id = message.id { await hub.reply(session, ServerMessage.encode(ServerMessage.OK(id: id))) }
            case "ping":
                let message = try StrictJSONBody.decode(PingMessage.self, from: data)
                await hub.reply(session, ServerMessage.encode(ServerMessage.Pong(id: message.id)))
            case let type where RealtimeActions<Store>.types.contains(type):
                try await actions.handle(type, data, session: session)
            default:
                throw APIError(.badRequest, "unknown_type", "unknown message type \(envelope.type)", field: "type")
            }
        } catch {
            // Through the hub, so that an error keeps its place among the replies (W2).
            await hub.reply(session, ServerMessage.failure(RealtimeHub<Store>.apiError(error), id: requestID))
        }
    }

    private func validated(_ sub: String, _ body: FilterBody?, _ pageSize: Int?) throws -> (String, ConversationFilter, Int) {
        let name = try SubscriptionName.validate(sub)
        let filter = (body ?? FilterBody()).filter
        do {
            try filter.validate()
        } catch {
            let key = ["connections": "connectionIds", "tags": "tagIds", "stages": "stageIds", "departments": "departmentIds"][error.field ?? ""]
            throw APIError(.unprocessableContent, "invalid_filter", error.message, field: key.map { "filter.\($0)" })
        }
        let size = pageSize ?? 50
        guard (0...configuration.maxPageSize).contains(size) else {
            throw APIError(.unprocessableContent, "invalid_field", "pageSize is 0 to \(configuration.maxPageSize)", field: "pageSize")
        }
        return (name, filter, size)
    }
}
