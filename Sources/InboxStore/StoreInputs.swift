import InboxCore

/// A new agent. The password arrives already hashed: the store never sees a clear password.
public struct AgentDraft: Sendable {
    public var name: String
    public var email: String
    public var passwordHash: String
    public var role: Role
    public var departmentIDs: [DepartmentID]
    public var maxOpenConversations: Int?

    public init(name: String, email: String, passwordHash: String, role: Role, departmentIDs: [DepartmentID], maxOpenConversations: Int? = nil) {
        self.name = name
        self.email = email
        self.passwordHash = passwordHash
        self.role = role
        self.departmentIDs = departmentIDs
        self.maxOpenConversations = maxOpenConversations
    }
}

/// Changes to an agent; `nil` leaves a field as it is.
public struct AgentPatch: Sendable {
    public var name: String?
    public var email: String?
    public var passwordHash: String?
    public var role: Role?
    public var departmentIDs: [DepartmentID]?
    public var active: Bool?
    /// `.some(nil)` removes the cap.
    public var maxOpenConversations: Int??

    public init(
        name: String? = nil, email: String? = nil, passwordHash: String? = nil, role: Role? = nil,
        departmentIDs: [DepartmentID]? = nil, active: Bool? = nil, maxOpenConversations: Int?? = nil
    ) {
        self.name = name
        self.email = email
        self.passwordHash = passwordHash
        self.role = role
        self.departmentIDs = departmentIDs
        self.active = active
        self.maxOpenConversations = maxOpenConversations
    }
}

/// What login needs of an agent.
public struct AgentCredentials: Sendable {
    public var agent: Agent
    public var passwordHash: String
    public var workspaceSlug: String

    public init(agent: Agent, passwordHash: String, workspaceSlug: String) {
        self.agent = agent
        self.passwordHash = passwordHash
        self.workspaceSlug = workspaceSlug
    }
}

/// A login session. Only the SHA-256 of its token is stored.
public struct SessionRecord: Sendable, Equatable {
    public var tokenHash: String
    public var agentID: AgentID
    public var workspaceID: WorkspaceID
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    public var revokedAt: Timestamp?

    public init(tokenHash: String, agentID: AgentID, workspaceID: WorkspaceID, createdAt: Timestamp, expiresAt: Timestamp, revokedAt: Timestamp? = nil) {
        self.tokenHash = tokenHash
        self.agentID = agentID
        self.workspaceID = workspaceID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}

/// Changes to a connection; `nil` leaves a field as it is.
public struct ConnectionPatch: Sendable {
    public var name: String?
    public var kind: ConnectionKind?
    public var active: Bool?
    /// A new secret's hash (rotation).
    public var secretHash: String?
    /// A new outbound adapter.
    public var outbound: OutboundSettings?
    /// A new webhook signing secret (kept in clear: the server signs with it).
    public var outboundSecret: String?

    public init(name: String? = nil, kind: ConnectionKind? = nil, active: Bool? = nil, secretHash: String? = nil,
                outbound: OutboundSettings? = nil, outboundSecret: String? = nil) {
        self.name = name
        self.kind = kind
        self.active = active
        self.secretHash = secretHash
        self.outbound = outbound
        self.outboundSecret = outboundSecret
    }
}

/// A lead as the CRM pushes it. `nil` lists leave the current ones in place.
public struct ContactUpsert: Sendable {
    public var externalID: String
    public var name: String
    public var handles: [ContactHandle]?
    public var tagIDs: [TagID]?
    public var departmentIDs: [DepartmentID]?

    public init(externalID: String, name: String, handles: [ContactHandle]? = nil, tagIDs: [TagID]? = nil, departmentIDs: [DepartmentID]? = nil) {
        self.externalID = externalID
        self.name = name
        self.handles = handles
        self.tagIDs = tagIDs
        self.departmentIDs = departmentIDs
    }
}

/// A deal as the CRM pushes it. The contact is named by our id or by the CRM's external id.
public struct DealUpsert: Sendable {
    public var externalID: String
    public var contact: ContactReference
    public var stageID: StageID
    public var title: String
    public var valueCents: Int64?

    public init(externalID: String, contact: ContactReference, stageID: StageID, title: String, valueCents: Int64?) {
        self.externalID = externalID
        self.contact = contact
        self.stageID = stageID
        self.title = title
        self.valueCents = valueCents
    }
}

/// A way to name a contact.
public enum ContactReference: Sendable, Equatable {
    case id(ContactID)
    case externalID(String)
}

/// A customer's message as a connection delivers it.
public struct InboundMessage: Sendable {
    /// The provider's message id: the idempotency key of inbound delivery.
    public var providerMessageID: String
    public var handle: String
    /// The customer's display name, used when the contact is created.
    public var contactName: String?
    public var text: String
    public var attachments: [Attachment]
    /// When the provider says it was sent; the server's clock when absent.
    public var sentAt: Timestamp?

    public init(providerMessageID: String, handle: String, contactName: String?, text: String, attachments: [Attachment] = [], sentAt: Timestamp? = nil) {
        self.providerMessageID = providerMessageID
        self.handle = handle
        self.contactName = contactName
        self.text = text
        self.attachments = attachments
        self.sentAt = sentAt
    }
}

/// Who is writing a business-side message.
public enum OutboundAuthor: Sendable, Equatable {
    case agent(AgentID)
    /// An automation flow, by its display name.
    case automation(name: String)
}

/// A business-side message to append.
public struct OutboundMessage: Sendable {
    public var author: OutboundAuthor
    public var clientMessageID: String?
    public var text: String
    public var attachments: [Attachment]
    /// The conversation version the author was looking at. When the customer wrote after it,
    /// the message is not sent (``InboxError/newerInbound(latestInboundVersion:)``).
    public var seenVersion: Int64?
    /// When set, the message is stored only if this agent holds the conversation at that moment
    /// (checked in the same transaction, so a transfer cannot slip in between).
    public var requiredAssignee: AgentID?

    public init(
        author: OutboundAuthor, clientMessageID: String?, text: String, attachments: [Attachment] = [], seenVersion: Int64? = nil,
        requiredAssignee: AgentID? = nil
    ) {
        self.author = author
        self.clientMessageID = clientMessageID
        self.text = text
        self.attachments = attachments
        self.seenVersion = seenVersion
        self.requiredAssignee = requiredAssignee
    }
}

/// A delivery report for an outbound message.
public struct DeliveryUpdate: Sendable {
    public var messageID: MessageID
    public var status: DeliveryStatus
    public var failureReason: String?
    public var providerMessageID: String?
    /// When set, only a message sent through this connection may be updated.
    public var connectionID: ConnectionID?

    public init(messageID: MessageID, status: DeliveryStatus, failureReason: String? = nil, providerMessageID: String? = nil, connectionID: ConnectionID? = nil) {
        self.messageID = messageID
        self.status = status
        self.failureReason = failureReason
        self.providerMessageID = providerMessageID
        self.connectionID = connectionID
    }
}


/// An outbound message leased to its adapter for one delivery attempt.
public struct PendingDelivery: Sendable {
    public var message: Message
    public var connection: Connection
    /// The webhook's signing secret.
    public var signingSecret: String?
    /// The customer's handle on the connection (phone number, Instagram handle...).
    public var recipient: String
    public var contactName: String
    /// Attempts so far, this one included.
    public var attempt: Int

    public init(message: Message, connection: Connection, signingSecret: String?, recipient: String, contactName: String, attempt: Int) {
        self.message = message
        self.connection = connection
        self.signingSecret = signingSecret
        self.recipient = recipient
        self.contactName = contactName
        self.attempt = attempt
    }
}

/// A new automation, or the whole of an edited one.
public struct AutomationDraft: Sendable {
    public var name: String
    public var trigger: AutomationTrigger
    public var actions: [AutomationAction]
    public var active: Bool

    public init(name: String, trigger: AutomationTrigger, actions: [AutomationAction], active: Bool = true) {
        self.name = name
        self.trigger = trigger
        self.actions = actions
        self.active = active
    }
}
