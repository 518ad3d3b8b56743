/// Whether a conversation is being worked on or closed.
public enum ConversationStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case open, finished
}

/// A conversation between the business and one contact over one connection.
///
/// The flags are derived by ``ConversationActivity`` and kept current by the store on every
/// change; filters run on them. `version` grows by one on every change, so a client can always
/// tell the newer of two copies apart.
public struct Conversation: Hashable, Sendable, Codable {
    public var id: ConversationID
    public var workspaceID: WorkspaceID
    public var contactID: ContactID
    /// Denormalized from the contact so a list renders without a second lookup.
    public var contactName: String
    public var connectionID: ConnectionID
    public var assigneeID: AgentID?
    /// Sorted ascending. Copied from the lead; a department transfer replaces them.
    public var departmentIDs: [DepartmentID]
    /// The lead's tags, sorted ascending.
    public var tagIDs: [TagID]
    /// The stages of the lead's deals, sorted ascending.
    public var stageIDs: [StageID]
    public var status: ConversationStatus
    /// Open, and the last message came from the business side.
    public var awaitingReply: Bool
    /// Open, and an outbound message failed and was neither resent nor dismissed.
    public var sendFailed: Bool
    /// Open, and the latest business-side message was sent by an automation with no agent message since.
    public var automated: Bool
    /// Inbound messages the assignee has not read.
    public var unreadCount: Int
    public var lastMessagePreview: String
    public var lastActivityAt: Timestamp
    public var createdAt: Timestamp
    public var version: Int64

    public init(
        id: ConversationID, workspaceID: WorkspaceID, contactID: ContactID, contactName: String,
        connectionID: ConnectionID, assigneeID: AgentID?, departmentIDs: [DepartmentID], tagIDs: [TagID],
        stageIDs: [StageID], status: ConversationStatus, awaitingReply: Bool, sendFailed: Bool,
        automated: Bool, unreadCount: Int, lastMessagePreview: String, lastActivityAt: Timestamp,
        createdAt: Timestamp, version: Int64
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.contactID = contactID
        self.contactName = contactName
        self.connectionID = connectionID
        self.assigneeID = assigneeID
        self.departmentIDs = departmentIDs
        self.tagIDs = tagIDs
        self.stageIDs = stageIDs
        self.status = status
        self.awaitingReply = awaitingReply
        self.sendFailed = sendFailed
        self.automated = automated
        self.unreadCount = unreadCount
        self.lastMessagePreview = lastMessagePreview
        self.lastActivityAt = lastActivityAt
        self.createdAt = createdAt
        self.version = version
    }

    /// Where this conversation sits in a list of the given order.
    public var sortKey: ConversationSortKey {
        ConversationSortKey(lastActivityAt: lastActivityAt, id: id)
    }
}

/// The key a conversation list is ordered by: last activity, ties broken by id.
public struct ConversationSortKey: Hashable, Sendable, Codable {
    public var lastActivityAt: Timestamp
    public var id: ConversationID

    public init(lastActivityAt: Timestamp, id: ConversationID) {
        self.lastActivityAt = lastActivityAt
        self.id = id
    }

    /// Whether `self` comes strictly before `other` in a list of `order`.
    public func precedes(_ other: ConversationSortKey, in order: ConversationOrder) -> Bool {
        let ascending = (lastActivityAt, id.rawValue) < (other.lastActivityAt, other.id.rawValue)
        return order == .oldest ? ascending : (self != other && !ascending)
    }
}
