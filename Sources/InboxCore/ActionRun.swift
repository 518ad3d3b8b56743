/// What a bulk run does to each conversation of its selection.
public enum BulkActionType: String, Hashable, Sendable, Codable, CaseIterable {
    case finish, transfer, automation
}

public struct BulkAction: Hashable, Sendable, Codable {
    public var type: BulkActionType
    /// For `transfer`: the agent and/or department to transfer to.
    public var agentID: AgentID?
    public var departmentID: DepartmentID?
    /// For `automation`: a manual automation.
    public var automationID: AutomationID?

    public init(type: BulkActionType, agentID: AgentID? = nil, departmentID: DepartmentID? = nil, automationID: AutomationID? = nil) {
        self.type = type
        self.agentID = agentID
        self.departmentID = departmentID
        self.automationID = automationID
    }

    /// Checks that the action carries exactly the fields its type needs.
    public func validate() throws(InboxError) {
        switch type {
        case .finish:
            guard agentID == nil, departmentID == nil, automationID == nil else {
                throw .invalidField(field: "action", reason: "finish takes no other field")
            }
        case .transfer:
            guard automationID == nil else { throw .invalidField(field: "action.automationId", reason: "transfer takes no automationId") }
            guard agentID != nil || departmentID != nil else {
                throw .invalidField(field: "action", reason: "transfer needs agentId and/or departmentId")
            }
        case .automation:
            guard agentID == nil, departmentID == nil else {
                throw .invalidField(field: "action", reason: "automation takes automationId only")
            }
            guard automationID != nil else { throw .invalidField(field: "action.automationId", reason: "automation needs automationId") }
        }
    }
}

/// How one conversation of a run came out.
public enum RunOutcome: String, Hashable, Sendable, Codable, CaseIterable {
    /// Applied.
    case done
    /// Left alone because it changed under the run (another agent claimed, finished, moved it),
    /// or because there was nothing to do (already finished).
    case skipped
    /// The one who started the run may not do this to it.
    case forbidden
    /// It does not exist, or its starter may not see it.
    case notFound = "not_found"
    /// Something else failed (a step named a tag or stage that no longer exists...).
    case failed
}

public struct RunItem: Hashable, Sendable, Codable {
    public var conversationID: ConversationID
    public var outcome: RunOutcome
    /// Why, when not done: a stable code (`assignee_changed`, `not_open`, `capacity_reached`...).
    public var reason: String?

    public init(conversationID: ConversationID, outcome: RunOutcome, reason: String? = nil) {
        self.conversationID = conversationID
        self.outcome = outcome
        self.reason = reason
    }
}

public enum RunStatus: String, Hashable, Sendable, Codable {
    case running, done
}

/// A recorded run: a bulk action started by an agent, or an automation fired by a trigger.
public struct ActionRun: Hashable, Sendable, Codable {
    public var id: RunID
    public var workspaceID: WorkspaceID
    /// Who started it; `nil` for an automation fired by a trigger.
    public var agentID: AgentID?
    public var idempotencyKey: String?
    public var action: BulkAction
    public var trigger: AutomationTriggerKind?
    public var status: RunStatus
    /// Conversations selected when the run started.
    public var total: Int
    /// How many of each outcome so far.
    public var counts: [RunOutcome: Int]
    /// Per-conversation outcomes, in processing order (only when asked for).
    public var items: [RunItem]?
    public var createdAt: Timestamp
    public var finishedAt: Timestamp?

    public init(
        id: RunID, workspaceID: WorkspaceID, agentID: AgentID?, idempotencyKey: String?, action: BulkAction,
        trigger: AutomationTriggerKind?, status: RunStatus, total: Int, counts: [RunOutcome: Int], items: [RunItem]?,
        createdAt: Timestamp, finishedAt: Timestamp?
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.agentID = agentID
        self.idempotencyKey = idempotencyKey
        self.action = action
        self.trigger = trigger
        self.status = status
        self.total = total
        self.counts = counts
        self.items = items
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }

    /// Conversations processed so far.
    public var processed: Int { counts.values.reduce(0, +) }
}

/// What a new run is.
public struct RunDraft: Hashable, Sendable {
    public var agentID: AgentID?
    public var idempotencyKey: String?
    public var action: BulkAction
    public var trigger: AutomationTriggerKind?
    public var conversationIDs: [ConversationID]

    public init(agentID: AgentID?, idempotencyKey: String?, action: BulkAction, trigger: AutomationTriggerKind?, conversationIDs: [ConversationID]) {
        self.agentID = agentID
        self.idempotencyKey = idempotencyKey
        self.action = action
        self.trigger = trigger
        self.conversationIDs = conversationIDs
    }
}

// Counts encode as a JSON object keyed by outcome.
extension RunOutcome: CodingKeyRepresentable {}
