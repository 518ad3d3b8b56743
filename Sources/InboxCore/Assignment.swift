/// What must still hold for an assignment change to apply: the compare of compare-and-set.
public struct AssignmentCondition: Hashable, Sendable {
    /// Who must be the assignee right now.
    public enum Assignee: Hashable, Sendable {
        /// Anyone or nobody.
        case any
        /// Nobody (a claim).
        case unassigned
        /// This agent (a release or transfer by the owner).
        case agent(AgentID)
    }

    public var assignee: Assignee
    /// The version the caller saw, when the caller wants to lose on any intervening change.
    public var version: Int64?
    /// Whether the conversation must be open.
    public var requireOpen: Bool

    public init(assignee: Assignee = .any, version: Int64? = nil, requireOpen: Bool = true) {
        self.assignee = assignee
        self.version = version
        self.requireOpen = requireOpen
    }

    /// Which part of the condition `conversation` fails, `nil` when it holds. The assignee is
    /// named before the version: a claimer who lost wants to hear who won, whatever else changed.
    public func violation(by conversation: Conversation) -> AssignmentConflict? {
        if requireOpen, conversation.status != .open { return .notOpen }
        if !AssignmentCondition(assignee: assignee, requireOpen: false).holds(for: conversation) { return .assigneeChanged }
        if let version, version != conversation.version { return .versionChanged }
        return nil
    }

    /// Whether `conversation` satisfies the condition. Stores evaluate the same thing in their
    /// conditional UPDATE; this is for explaining a lost race.
    public func holds(for conversation: Conversation) -> Bool {
        if requireOpen, conversation.status != .open { return false }
        if let version, conversation.version != version { return false }
        switch assignee {
        case .any: return true
        case .unassigned: return conversation.assigneeID == nil
        case .agent(let id): return conversation.assigneeID == id
        }
    }
}

/// A change of assignee and/or departments, applied only if ``condition`` still holds.
public struct AssignmentChange: Hashable, Sendable {
    public var conversationID: ConversationID
    public var condition: AssignmentCondition
    /// The new assignee; `nil` leaves the conversation unassigned.
    public var assigneeID: AgentID?
    /// New departments; `nil` keeps the current ones.
    public var departmentIDs: [DepartmentID]?
    /// When set, the new assignee may hold at most this many open conversations after the change.
    public var assigneeCapacity: Int?

    public init(
        conversationID: ConversationID, condition: AssignmentCondition, assigneeID: AgentID?,
        departmentIDs: [DepartmentID]? = nil, assigneeCapacity: Int? = nil
    ) {
        self.conversationID = conversationID
        self.condition = condition
        self.assigneeID = assigneeID
        self.departmentIDs = departmentIDs
        self.assigneeCapacity = assigneeCapacity
    }
}

/// Why a compare-and-set did not apply.
public enum AssignmentConflict: String, Hashable, Sendable, Codable {
    /// Someone else holds it (or it was expected to be someone else's).
    case assigneeChanged = "assignee_changed"
    /// It changed since the version the caller saw.
    case versionChanged = "version_changed"
    /// It is finished.
    case notOpen = "not_open"
    /// The new assignee is at capacity.
    case capacityReached = "capacity_reached"
}
