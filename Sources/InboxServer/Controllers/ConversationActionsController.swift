import Hummingbird
import InboxCore
import InboxStore

/// The agent's actions on one conversation over HTTP, for integrations (the browser uses the
/// same commands over the WebSocket): claim, release, transfer, finish, reopen, reply, mark
/// read, lead tags, and resending or dismissing a failed message.
struct ConversationActionsController<Store: InboxStore> {
    let store: Store
    let commands: ConversationCommands<Store>

    struct VersionBody: Codable {
        /// The version the agent saw: the action applies only if it is still current.
        var version: Int64?
    }

    struct TransferBody: Codable {
        var agentID: AgentID?
        var departmentID: DepartmentID?
        var version: Int64?
    }

    struct TagBody: Codable {
        var tagID: TagID
    }

    struct SendBody: Codable {
        var clientMessageID: String
        var text: String?
        var attachments: [Attachment]?
        /// The conversation version the composer showed; a newer customer message holds the reply back.
        var seenVersion: Int64?
    }

    struct ActionResponse: Codable {
        var conversation: Conversation
        /// The change-log sequence of the change made; absent when nothing changed.
        var seq: Int64?
    }

    struct SendResponse: Codable {
        var message: Message
        var conversation: Conversation
        var duplicate: Bool
        var seq: Int64?
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("conversations/:id/claim") { request, context in
            try await versioned(request, context) { agent, id, version in try await commands.claim(id, by: agent, version: version) }
        }
        group.post("conversations/:id/release") { request, context in
            try await versioned(request, context) { agent, id, version in try await commands.release(id, by: agent, version: version) }
        }
        group.post("conversations/:id/finish") { request, context in
            try await versioned(request, context) { agent, id, version in try await commands.finish(id, by: agent, version: version) }
        }
        group.post("conversations/:id/reopen") { request, context in
            try await versioned(request, context) { agent, id, version in try await commands.reopen(id, by: agent, version: version) }
        }
        group.post("conversations/:id/transfer") { request, context in
            let body = try await StrictJSONBody.decode(TransferBody.self, from: request)
            return try await act(context) { agent, id in
                try await commands.transfer(id, by: agent, toAgent: body.agentID, department: body.departmentID, version: body.version)
            }
        }
        group.post("conversations/:id/read") { request, context in
            try await act(context) { agent, id in try await commands.markRead(id, by: agent) }
        }
        group.post("conversations/:id/tags") { request, context in
            let body = try await StrictJSONBody.decode(TagBody.self, from: request)
            return try await act(context) { agent, id in try await commands.setTag(body.tagID, present: true, on: id, by: agent) }
        }
        group.delete("conversations/:id/tags/:tagId") { request, context in
            let tag: TagID = try context.id("tagId", entity: "tag")
            return try await act(context) { agent, id in try await commands.setTag(tag, present: false, on: id, by: agent) }
        }
        group.post("conversations/:id/messages") { request, context in
            let body = try await StrictJSONBody.decode(SendBody.self, from: request)
            let draft = ReplyDraft(
                clientMessageID: body.clientMessageID, text: body.text ?? "", attachments: body.attachments ?? [], seenVersion: body.seenVersion)
            let agent = try context.requireAgent()
            let outcome = try await answering(agent) { try await commands.send(draft, to: try context.id("id", entity: "conversation"), by: agent) }
            return try messageResponse(outcome, status: outcome.duplicate ? .ok : .created)
        }
        group.post("messages/:id/resend") { request, context in
            let agent = try context.requireAgent()
            let outcome = try await answering(agent) { try await commands.resend(try context.id("id", entity: "message"), by: agent) }
            return try messageResponse(outcome, status: .ok)
        }
        group.post("messages/:id/dismiss") { request, context in
            let agent = try context.requireAgent()
            let outcome = try await answering(agent) { try await commands.dismissFailure(try context.id("id", entity: "message"), by: agent) }
            return try messageResponse(outcome, status: .ok)
        }
    }

    private func versioned(
        _ request: Request, _ context: AppRequestContext,
        _ command: @escaping @Sendable (Agent, ConversationID, Int64?) async throws -> CommandOutcome
    ) async throws -> Response {
        let body = try await StrictJSONBody.decodeOptional(VersionBody.self, from: request)
        return try await act(context) { agent, id in try await command(agent, id, body.version) }
    }

    private func act(
        _ context: AppRequestContext, _ command: @Sendable (Agent, ConversationID) async throws -> CommandOutcome
    ) async throws -> Response {
        let agent = try context.requireAgent()
        let id: ConversationID = try context.id("id", entity: "conversation")
        let outcome = try await answering(agent) { try await command(agent, id) }
        return try WireJSON.response(ActionResponse(conversation: outcome.conversation, seq: outcome.sequence))
    }

    private func answering(_ agent: Agent, _ body: () async throws -> CommandOutcome) async throws -> CommandOutcome {
        do {
            return try await body()
        } catch {
            throw await CommandErrors.apiError(error, store: store, workspace: agent.workspaceID)
        }
    }

    private func messageResponse(_ outcome: CommandOutcome, status: HTTPResponse.Status) throws -> Response {
        guard let message = outcome.message else { throw APIError.internalError }
        return try WireJSON.response(
            SendResponse(message: message, conversation: outcome.conversation, duplicate: outcome.duplicate, seq: outcome.sequence), status: status)
    }
}
