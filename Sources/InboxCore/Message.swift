/// Who a message came from.
public enum MessageDirection: String, Hashable, Sendable, Codable, CaseIterable {
    /// From the customer.
    case inbound
    /// From the business: an agent or an automation.
    case outbound
}

/// Where an outbound message is on its way to the customer. Inbound messages are `delivered`.
public enum DeliveryStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case pending, sent, delivered, read, failed
}

/// The kind of file a message carries.
public enum AttachmentKind: String, Hashable, Sendable, Codable, CaseIterable {
    case image, audio, video, document, sticker, location, other
}

/// Metadata of a file a message carries; the bytes live with the connection's provider.
public struct Attachment: Hashable, Sendable, Codable {
    public var kind: AttachmentKind
    public var url: String
    public var name: String?
    public var sizeBytes: Int64?

    public init(kind: AttachmentKind, url: String, name: String?, sizeBytes: Int64?) {
        self.kind = kind
        self.url = url
        self.name = name
        self.sizeBytes = sizeBytes
    }
}

/// One message of a conversation.
public struct Message: Hashable, Sendable, Codable {
    public var id: MessageID
    public var workspaceID: WorkspaceID
    public var conversationID: ConversationID
    public var direction: MessageDirection
    /// The agent who wrote it (outbound, not automated).
    public var authorAgentID: AgentID?
    /// Display name of the author: the contact, the agent or the automation.
    public var authorName: String
    public var text: String
    public var attachments: [Attachment]
    public var deliveryStatus: DeliveryStatus
    /// Why delivery failed, when it did.
    public var failureReason: String?
    /// Sent by an automation flow.
    public var automated: Bool
    /// The sender's idempotency key (outbound from a client).
    public var clientMessageID: String?
    /// The connection provider's id (inbound, or outbound once the provider accepted it).
    public var providerMessageID: String?
    public var createdAt: Timestamp

    public init(
        id: MessageID, workspaceID: WorkspaceID, conversationID: ConversationID, direction: MessageDirection,
        authorAgentID: AgentID?, authorName: String, text: String, attachments: [Attachment],
        deliveryStatus: DeliveryStatus, failureReason: String?, automated: Bool,
        clientMessageID: String?, providerMessageID: String?, createdAt: Timestamp
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.conversationID = conversationID
        self.direction = direction
        self.authorAgentID = authorAgentID
        self.authorName = authorName
        self.text = text
        self.attachments = attachments
        self.deliveryStatus = deliveryStatus
        self.failureReason = failureReason
        self.automated = automated
        self.clientMessageID = clientMessageID
        self.providerMessageID = providerMessageID
        self.createdAt = createdAt
    }
}

extension DeliveryStatus {
    private var rank: Int {
        switch self {
        case .pending: 0
        case .sent: 1
        case .delivered: 2
        case .read: 3
        case .failed: -1
        }
    }

    /// Whether a report of `next` replaces `self`. Providers report out of order, so a status
    /// never moves back; a failure counts only before delivery, and a failed message that is
    /// later reported sent, delivered or read was resent successfully.
    public func accepts(_ next: DeliveryStatus) -> Bool {
        switch (self, next) {
        case (.failed, .failed), (.failed, .pending): false
        case (.failed, _): true
        case (_, .failed): self == .pending || self == .sent
        default: next.rank > rank
        }
    }
}
