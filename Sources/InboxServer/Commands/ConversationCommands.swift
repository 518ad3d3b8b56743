import CoreMetrics
import InboxCore
import InboxStore

/// Who may reply to a conversation.
public enum ReplyPolicy: String, Sendable, CaseIterable {
    /// Agents reply only to conversations assigned to them (supervisors and admins to any).
    case assigned
    /// Anyone who may see a conversation may reply to it.
    case visible
}

/// What a command did.
struct CommandOutcome: Sendable {
    var conversation: Conversation
    /// The sequence of the last change the command logged; `nil` when it changed nothing.
    var sequence: Int64?
    var message: Message?
    var duplicate: Bool = false

    init(_ result: StoreResult<Conversation>) {
        conversation = result.value
        sequence = result.changes.last?.sequence
    }

    init(_ result: MessageResult) {
        conversation = result.conversation
        sequence = result.changes.last?.sequence
        message = result.message
        duplicate = result.duplicate
    }

    init(conversation: Conversation, sequence: Int64?) {
        self.conversation = conversation
        self.sequence = sequence
    }
}

/// A new message as an agent writes it.
struct ReplyDraft: Sendable {
    var clientMessageID: String
    var text: String
    var attachments: [Attachment]
    /// The conversation version the agent's screen showed (the traffic cop's input).
    var seenVersion: Int64?
}

/// Every action an agent takes on a conversation, with its permission rules, for both the
/// HTTP API and the WebSocket. Each assignee or department change is one compare-and-set in
/// the store (``InboxStore/assign(_:in:)``); nothing decides by reading first and writing after.
///
/// When the caller gives no version, the command pins the version its permission check read,
/// so the check and the write see the same conversation; if something unrelated changed in
/// between, it reads again and retries (a few times), instead of failing the agent.
struct ConversationCommands<Store: InboxStore>: Sendable {
    let store: Store
    let replyPolicy: ReplyPolicy
    /// Wakes the outbound dispatcher when a message becomes due.
    let outboxSignal: @Sendable () -> Void
    let metrics: InboxMetrics

    static var maxRetries: Int { 4 }

    // MARK: Assignment

    /// Takes an unassigned conversation. Among any number of racing claimers exactly one wins;
    /// every other gets `conflict` naming the winner.
    func claim(_ id: ConversationID, by agent: Agent, version: Int64?) async throws -> CommandOutcome {
        do {
            let outcome = try await claimOnce(id, by: agent, version: version)
            if outcome.sequence != nil { metrics.claimWins.increment() }
            return outcome
        } catch let conflict as CommandConflict {
            metrics.claimConflicts.increment()
            throw conflict
        }
    }

    private func claimOnce(_ id: ConversationID, by agent: Agent, version: Int64?) async throws -> CommandOutcome {
        try await assign(id, by: agent, version: version) { current in
            // Claiming again what one already holds (a double click, a retry) changes nothing.
            guard current.assigneeID != agent.id else { return nil }
            return AssignmentPlan(assignee: .unassigned, newAssignee: agent.id, capacity: agent.maxOpenConversations)
        }
    }

    /// Gives a conversation back to its queue (unassigned, same departments).
    func release(_ id: ConversationID, by agent: Agent, version: Int64?) async throws -> CommandOutcome {
        try await assign(id, by: agent, version: version) { current in
            let expected = try requireHolder(current, agent)
            guard current.assigneeID != nil else { return nil }
            return AssignmentPlan(assignee: expected, newAssignee: nil)
        }
    }

    /// Transfers to an agent and/or a department. To a department alone, the conversation waits
    /// unassigned in that department's queue.
    func transfer(_ id: ConversationID, by agent: Agent, toAgent target: AgentID?, department: DepartmentID?, version: Int64?) async throws -> CommandOutcome {
        guard target != nil || department != nil else {
            throw InboxError.invalidField(field: "agentId", reason: "transfer to an agent and/or a department")
        }
        _ = try await visible(id, to: agent) // a conversation one cannot see is not_found before anything else
        let limit = try await transferTarget(agent: target, department: department, in: agent.workspaceID)
        return try await assign(id, by: agent, version: version) { current in
            let expected = try requireHolder(current, agent)
            return AssignmentPlan(assignee: expected, newAssignee: target, departments: department.map { [$0] }, capacity: limit)
        }
    }

    // MARK: Status

    func finish(_ id: ConversationID, by agent: Agent, version: Int64?) async throws -> CommandOutcome {
        try await pinned(id, by: agent, version: version) { current, pin in
            // Agents finish their own conversations and unassigned ones they see, never a colleague's.
            if agent.role == .agent, let holder = current.assigneeID, holder != agent.id {
                throw InboxError.forbidden(reason: "this conversation is assigned to someone else")
            }
            return CommandOutcome(try await store.finish(id, in: agent.workspaceID, ifVersion: pin))
        }
    }

    func reopen(_ id: ConversationID, by agent: Agent, version: Int64?) async throws -> CommandOutcome {
        try await pinned(id, by: agent, version: version) { _, pin in
            CommandOutcome(try await store.reopen(id, in: agent.workspaceID, ifVersion: pin))
        }
    }

    func markRead(_ id: ConversationID, by agent: Agent) async throws -> CommandOutcome {
        _ = try await visible(id, to: agent)
        return CommandOutcome(try await store.markRead(id, in: agent.workspaceID))
    }

    /// Adds or removes a tag on the conversation's lead (all of the lead's conversations show it).
    func setTag(_ tag: TagID, present: Bool, on id: ConversationID, by agent: Agent) async throws -> CommandOutcome {
        let current = try await visible(id, to: agent)
        let result = try await store.setLeadTag(tag, present: present, on: current.contactID, in: agent.workspaceID)
        let own = result.changes.last { $0.conversation.id == id }
        return CommandOutcome(conversation: own?.conversation ?? current, sequence: result.changes.last?.sequence)
    }

    // MARK: Messages

    /// Sends a reply: stored first (pending), then delivered by the connection's adapter.
    func send(_ draft: ReplyDraft, to id: ConversationID, by agent: Agent) async throws -> CommandOutcome {
        let current = try await visible(id, to: agent)
        try requireMayReply(current, agent)
        let outbound = OutboundMessage(
            author: .agent(agent.id), clientMessageID: draft.clientMessageID, text: draft.text, attachments: draft.attachments,
            seenVersion: draft.seenVersion, requiredAssignee: mustHold(agent) ? agent.id : nil)
        let result = try await store.sendOutbound(outbound, to: id, in: agent.workspaceID)
        if !result.duplicate { outboxSignal() }
        return CommandOutcome(result)
    }

    /// Sends a failed message again.
    func resend(_ messageID: MessageID, by agent: Agent) async throws -> CommandOutcome {
        let message = try await failedMessage(messageID, by: agent)
        let result = try await store.resendMessage(message.id, in: agent.workspaceID)
        outboxSignal()
        return CommandOutcome(result)
    }

    /// Dismisses a failed message: the conversation leaves "send failed" if nothing else failed.
    func dismissFailure(_ messageID: MessageID, by agent: Agent) async throws -> CommandOutcome {
        let message = try await failedMessage(messageID, by: agent)
        return CommandOutcome(try await store.dismissFailure(message.id, in: agent.workspaceID))
    }

    // MARK: Rules

    /// The conversation, if `agent` may see it; otherwise `not_found`, exactly like a wrong id.
    func visible(_ id: ConversationID, to agent: Agent) async throws -> Conversation {
        let conversation = try await store.conversation(id, in: agent.workspaceID)
        guard agent.viewer.canSee(conversation) else { throw InboxError.notFound(entity: "conversation") }
        return conversation
    }

    /// Agents act only on their own conversations; supervisors and admins on any. Returns the
    /// assignee the compare-and-set must still find.
    private func requireHolder(_ conversation: Conversation, _ agent: Agent) throws -> AssignmentCondition.Assignee {
        if agent.role == .agent {
            guard conversation.assigneeID == agent.id else {
                throw InboxError.forbidden(reason: "agents may act only on conversations assigned to them")
            }
            return .agent(agent.id)
        }
        return conversation.assigneeID.map(AssignmentCondition.Assignee.agent) ?? .unassigned
    }

    private func requireMayReply(_ conversation: Conversation, _ agent: Agent) throws {
        guard mustHold(agent), conversation.assigneeID != agent.id else { return }
        throw InboxError.forbidden(reason: "claim the conversation before replying to it")
    }

    /// Whether the reply policy asks this agent to hold a conversation to reply to it.
    private func mustHold(_ agent: Agent) -> Bool { replyPolicy == .assigned && agent.role == .agent }

    private func failedMessage(_ id: MessageID, by agent: Agent) async throws -> Message {
        guard let message = try await store.messages(ids: [id], in: agent.workspaceID).first else {
            throw InboxError.notFound(entity: "message")
        }
        let conversation = try await visible(message.conversationID, to: agent)
        try requireMayReply(conversation, agent)
        return message
    }

    /// Checks where a transfer goes: an active agent and/or an active department (a deactivated
    /// one takes no new conversations). Returns the target agent's cap. `fieldPrefix` names the
    /// fields as the request does (`action.` in a bulk request).
    func transferTarget(agent target: AgentID?, department: DepartmentID?, in workspace: WorkspaceID, fieldPrefix: String = "") async throws -> Int? {
        if let department {
            guard try await store.departments(in: workspace).contains(where: { $0.id == department && $0.active }) else {
                throw InboxError.invalidReference(field: fieldPrefix + "departmentId")
            }
        }
        guard let target else { return nil }
        guard let agent = try? await store.agent(target, in: workspace), agent.active else {
            throw InboxError.invalidReference(field: fieldPrefix + "agentId")
        }
        return agent.maxOpenConversations
    }

    // MARK: Compare-and-set plumbing

    struct AssignmentPlan {
        var assignee: AssignmentCondition.Assignee
        var newAssignee: AgentID?
        var departments: [DepartmentID]? = nil
        var capacity: Int? = nil
    }

    /// Reads, checks the rules (`plan`), and applies one compare-and-set pinned to the version
    /// read (or the caller's). `plan` returning nil means there is nothing to change.
    private func assign(
        _ id: ConversationID, by agent: Agent, version: Int64?, plan: @Sendable (Conversation) throws -> AssignmentPlan?
    ) async throws -> CommandOutcome {
        try await pinned(id, by: agent, version: version) { current, pin in
            guard let plan = try plan(current) else { return CommandOutcome(conversation: current, sequence: nil) }
            let change = AssignmentChange(
                conversationID: id, condition: AssignmentCondition(assignee: plan.assignee, version: pin),
                assigneeID: plan.newAssignee, departmentIDs: plan.departments, assigneeCapacity: plan.capacity)
            // Lost already on the state just read: answered without the writer. In a claim storm
            // most attempts are such losers, and the store's single writer is what all wait on.
            if let lost = change.condition.violation(by: current) {
                throw CommandConflict(reason: lost.rawValue, current: current)
            }
            switch try await store.assign(change, in: agent.workspaceID) {
            case .changed(let result): return CommandOutcome(result)
            case .conflict(let reason, let now): throw CommandConflict(reason: reason.rawValue, current: now)
            }
        }
    }

    /// Runs `body` on the conversation as `agent` sees it, pinned to a version: the caller's, or
    /// the one just read, retried on an unrelated change when the caller gave none.
    private func pinned(
        _ id: ConversationID, by agent: Agent, version: Int64?,
        _ body: @Sendable (Conversation, Int64) async throws -> CommandOutcome
    ) async throws -> CommandOutcome {
        var attempt = 0
        while true {
            let current = try await visible(id, to: agent)
            do {
                return try await body(current, version ?? current.version)
            } catch let conflict as CommandConflict where conflict.reason == AssignmentConflict.versionChanged.rawValue {
                attempt += 1
                if version != nil || attempt >= Self.maxRetries { throw conflict }
            } catch InboxError.conflict(let reason) {
                let now = try await store.conversation(id, in: agent.workspaceID)
                attempt += 1
                if version != nil || attempt >= Self.maxRetries { throw CommandConflict(reason: reason, current: now) }
            }
        }
    }
}

/// A compare-and-set the caller lost, with the state that won.
struct CommandConflict: Error {
    var reason: String
    var current: Conversation
}
