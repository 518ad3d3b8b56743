import HTTPTypes
import Foundation
import InboxCore
import InboxStore

/// Command messages on the socket: the same ``ConversationCommands`` and ``BulkRunner`` as
/// the HTTP API. Each answers `result` (or `error`, with the winner's details on a lost
/// compare-and-set); the state itself reaches the client on the stream, in order.
struct RealtimeActions<Store: InboxStore>: Sendable {
    let hub: RealtimeHub<Store>
    let commands: ConversationCommands<Store>
    let bulk: BulkRunner<Store>

    struct VersionedMessage: Codable {
        var type: String
        var id: String
        var conversationID: ConversationID
        var version: Int64?
    }

    struct TransferMessage: Codable {
        var type: String
        var id: String
        var conversationID: ConversationID
        var agentID: AgentID?
        var departmentID: DepartmentID?
        var version: Int64?
    }

    struct SendMessage: Codable {
        var type: String
        var id: String
        var conversationID: ConversationID
        var clientMessageID: String
        var text: String?
        var attachments: [Attachment]?
        var seenVersion: Int64?
    }

    struct ConversationMessage: Codable {
        var type: String
        var id: String
        var conversationID: ConversationID
    }

    struct TagMessage: Codable {
        var type: String
        var id: String
        var conversationID: ConversationID
        var tagID: TagID
    }

    struct MessageAction: Codable {
        var type: String
        var id: String
        var messageID: MessageID
    }

    struct BulkMessage: Codable {
        var type: String
        var id: String
        var idempotencyKey: String
        var action: BulkAction
        var conversationIDs: [ConversationID]?
        var filter: FilterBody?
    }

    static var types: Set<String> { [
        "claim", "release", "finish", "reopen", "transfer", "send", "mark_read", "add_tag", "remove_tag", "resend", "dismiss_failure", "bulk",
    ] }

    /// Handles one command message of a type in ``types``.
    func handle(_ type: String, _ data: Data, session: ClientSession) async throws {
        let agent = try await currentAgent(session)
        switch type {
        case "claim", "release", "finish", "reopen":
            let message = try StrictJSONBody.decode(VersionedMessage.self, from: data)
            try await answer(message.id, session) {
                let id = message.conversationID, version = message.version
                switch type {
                case "claim": return try await commands.claim(id, by: agent, version: version)
                case "release": return try await commands.release(id, by: agent, version: version)
                case "finish": return try await commands.finish(id, by: agent, version: version)
                default: return try await commands.reopen(id, by: agent, version: version)
                }
            }
        case "transfer":
            let message = try StrictJSONBody.decode(TransferMessage.self, from: data)
            try await answer(message.id, session) {
                try await commands.transfer(message.conversationID, by: agent, toAgent: message.agentID, department: message.departmentID, version: message.version)
            }
        case "send":
            let message = try StrictJSONBody.decode(SendMessage.self, from: data)
            let draft = ReplyDraft(
                clientMessageID: message.clientMessageID, text: message.text ?? "", attachments: message.attachments ?? [], seenVersion: message.seenVersion)
            try await answer(message.id, session) { try await commands.send(draft, to: message.conversationID, by: agent) }
        case "mark_read":
            let message = try StrictJSONBody.decode(ConversationMessage.self, from: data)
            try await answer(message.id, session) { try await commands.markRead(message.conversationID, by: agent) }
        case "add_tag", "remove_tag":
            let message = try StrictJSONBody.decode(TagMessage.self, from: data)
            try await answer(message.id, session) {
                try await commands.setTag(message.tagID, present: type == "add_tag", on: message.conversationID, by: agent)
            }
        case "resend", "dismiss_failure":
            let message = try StrictJSONBody.decode(MessageAction.self, from: data)
            try await answer(message.id, session) {
                type == "resend" ? try await commands.resend(message.messageID, by: agent) : try await commands.dismissFailure(message.messageID, by: agent)
            }
        case "bulk":
            let message = try StrictJSONBody.decode(BulkMessage.self, from: data)
            let selection = try RunsController<Store>.selection(ids: message.conversationIDs, filter: message.filter)
            do {
                let (run, existing) = try await bulk.start(BulkRequest(idempotencyKey: message.idempotencyKey, action: message.action, selection: selection), by: agent)
                await hub.reply(session, ServerMessage.encode(ServerMessage.Result(id: message.id, duplicate: existing, run: run)))
            } catch {
                throw await CommandErrors.apiError(error, store: hub.store, workspace: agent.workspaceID)
            }
        default:
            throw APIError(.badRequest, "unknown_type", "unknown message type \(type)", field: "type")
        }
    }

    /// The agent as they are now, as HTTP requests see them: a role, department or cap changed
    /// since the socket connected applies to the next command (the subscriptions follow within
    /// the session re-check, W10), and an ended session acts no more.
    private func currentAgent(_ session: ClientSession) async throws -> Agent {
        guard let tokenHash = session.tokenHash else { return session.agent }
        return try await SessionResolver(store: hub.store, now: hub.now).agent(tokenHash: tokenHash)
    }

    private func answer(_ requestID: String, _ session: ClientSession, _ command: () async throws -> CommandOutcome) async throws {
        let outcome: CommandOutcome
        do {
            outcome = try await command()
        } catch {
            throw await CommandErrors.apiError(error, store: hub.store, workspace: session.agent.workspaceID)
        }
        await hub.reply(session, ServerMessage.encode(ServerMessage.Result(
            id: requestID, conversationID: outcome.conversation.id, version: outcome.conversation.version, seq: outcome.sequence,
            messageID: outcome.message?.id, duplicate: outcome.message == nil ? nil : outcome.duplicate)))
    }
}
