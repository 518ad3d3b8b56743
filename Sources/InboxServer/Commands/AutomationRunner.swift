import InboxCore
import InboxStore

/// Runs an automation's steps, in order, on one conversation. Every step goes through the
/// same store operations as an agent's action: messages are stored first and flagged
/// automated, and transfers are the same compare-and-set.
struct AutomationRunner<Store: InboxStore>: Sendable {
    let store: Store
    let outboxSignal: @Sendable () -> Void

    /// Applies the steps; the first step that cannot apply stops the run for this conversation
    /// and gives its outcome.
    /// `holder`: for a run an agent started, who must still hold the conversation (the agent,
    /// or nobody) when a step moves or finishes it; a colleague's claim in between wins.
    func apply(_ automation: Automation, to id: ConversationID, run: RunID, startedBy agent: Agent?,
               holder expected: AssignmentCondition.Assignee = .any) async -> RunItem {
        let workspace = automation.workspaceID
        var holder = expected
        do {
            for (index, action) in automation.actions.enumerated() {
                let conversation = try await store.conversation(id, in: workspace)
                switch action.type {
                case .sendMessage:
                    let text = MessageTemplate.render(action.text ?? "", values: try await templateValues(conversation, startedBy: agent))
                    // The key makes a retried run send each step's message once.
                    let outbound = OutboundMessage(author: .automation(name: automation.name), clientMessageID: "automation:\(run):\(id):\(index)", text: text)
                    if try await !store.sendOutbound(outbound, to: id, in: workspace).duplicate { outboxSignal() }
                case .addTag, .removeTag:
                    guard let tag = action.tagID else { continue }
                    _ = try await store.setLeadTag(tag, present: action.type == .addTag, on: conversation.contactID, in: workspace)
                case .moveStage:
                    guard let stage = action.stageID else { continue }
                    _ = try await store.moveLead(conversation.contactID, to: stage, in: workspace)
                case .transfer:
                    if let reason = try await transfer(id, to: action.agentID, department: action.departmentID, holder: holder, in: workspace) {
                        return RunItem(conversationID: id, outcome: .skipped, reason: reason)
                    }
                    holder = .any // the automation moved it itself; its later steps follow it
                case .finish:
                    guard AssignmentCondition(assignee: holder, requireOpen: false).holds(for: conversation) else {
                        return RunItem(conversationID: id, outcome: .skipped, reason: AssignmentConflict.assigneeChanged.rawValue)
                    }
                    // Pinned to the version just checked: a claim in between makes it a conflict.
                    _ = try await store.finish(id, in: workspace, ifVersion: conversation.version)
                }
            }
            return RunItem(conversationID: id, outcome: .done)
        } catch {
            return Self.item(for: error, conversation: id)
        }
    }

    /// A transfer through the compare-and-set, pinned to the version read; `nil` when applied,
    /// otherwise why not.
    private func transfer(
        _ id: ConversationID, to agent: AgentID?, department: DepartmentID?, holder: AssignmentCondition.Assignee, in workspace: WorkspaceID
    ) async throws -> String? {
        for _ in 0..<ConversationCommands<Store>.maxRetries {
            let current = try await store.conversation(id, in: workspace)
            let change = AssignmentChange(
                conversationID: id, condition: AssignmentCondition(assignee: holder, version: current.version),
                assigneeID: agent ?? (department == nil ? current.assigneeID : nil), departmentIDs: department.map { [$0] })
            switch try await store.assign(change, in: workspace) {
            case .changed: return nil
            case .conflict(.versionChanged, _): continue
            case .conflict(let reason, _): return reason.rawValue
            }
        }
        return AssignmentConflict.versionChanged.rawValue
    }

    private func templateValues(_ conversation: Conversation, startedBy agent: Agent?) async throws -> [String: String] {
        var agentName = agent?.name ?? ""
        if let assignee = conversation.assigneeID {
            agentName = (try? await store.agent(assignee, in: conversation.workspaceID).name) ?? agentName
        }
        let connection = try await store.connection(conversation.connectionID, in: conversation.workspaceID)
        return [
            "contact.name": conversation.contactName,
            "contact.first_name": conversation.contactName.split(separator: " ").first.map(String.init) ?? conversation.contactName,
            "agent.name": agentName,
            "connection.name": connection.name,
        ]
    }

    /// The outcome an error stands for, with its stable code as the reason.
    static func item(for error: any Error, conversation: ConversationID) -> RunItem {
        switch error {
        case let conflict as CommandConflict: RunItem(conversationID: conversation, outcome: .skipped, reason: conflict.reason)
        case InboxError.notFound: RunItem(conversationID: conversation, outcome: .notFound)
        case InboxError.forbidden: RunItem(conversationID: conversation, outcome: .forbidden, reason: "forbidden")
        case InboxError.conflict(let reason): RunItem(conversationID: conversation, outcome: .skipped, reason: reason)
        case let error as InboxError: RunItem(conversationID: conversation, outcome: .failed, reason: error.code)
        case let error as APIError: RunItem(conversationID: conversation, outcome: .failed, reason: error.code)
        default: RunItem(conversationID: conversation, outcome: .failed, reason: "internal")
        }
    }
}
