/// What happened to a conversation in one change-log entry.
public enum ChangeKind: String, Hashable, Sendable, Codable, CaseIterable {
    case created, messageAdded = "message_added", messageUpdated = "message_updated", assigned
    case finished, reopened, leadUpdated = "lead_updated", read
}

/// One entry of a workspace's change log. Sequence numbers grow by one per workspace with no
/// gaps; the real-time hub streams and replays from them.
public struct ChangeLogEntry: Hashable, Sendable, Codable {
    public var workspaceID: WorkspaceID
    public var sequence: Int64
    public var kind: ChangeKind
    /// The conversation as it is after this change.
    public var conversation: Conversation
    /// The conversation as it was before this change; `nil` when the change created it. The hub
    /// decides enter / update / leave of each list from the pair.
    public var previous: Conversation?
    /// The message the change concerns, for message changes.
    public var messageID: MessageID?
    public var createdAt: Timestamp

    public init(
        workspaceID: WorkspaceID, sequence: Int64, kind: ChangeKind, conversation: Conversation,
        previous: Conversation?, messageID: MessageID?, createdAt: Timestamp
    ) {
        self.workspaceID = workspaceID
        self.sequence = sequence
        self.kind = kind
        self.conversation = conversation
        self.previous = previous
        self.messageID = messageID
        self.createdAt = createdAt
    }
}
