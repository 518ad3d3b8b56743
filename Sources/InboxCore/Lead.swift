/// How a contact is reached on one connection (a phone number on WhatsApp, a handle on Instagram).
public struct ContactHandle: Hashable, Sendable, Codable {
    public var connectionID: ConnectionID
    public var handle: String

    public init(connectionID: ConnectionID, handle: String) {
        self.connectionID = connectionID
        self.handle = handle
    }
}

/// The lead: a customer with tags and departments, owned by the CRM.
public struct Contact: Hashable, Sendable, Codable {
    public var id: ContactID
    public var workspaceID: WorkspaceID
    /// The CRM's own id for this lead, when the CRM pushed it.
    public var externalID: String?
    public var name: String
    public var handles: [ContactHandle]
    public var tagIDs: [TagID]
    public var departmentIDs: [DepartmentID]
    public var createdAt: Timestamp

    public init(
        id: ContactID, workspaceID: WorkspaceID, externalID: String?, name: String,
        handles: [ContactHandle], tagIDs: [TagID], departmentIDs: [DepartmentID], createdAt: Timestamp
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.externalID = externalID
        self.name = name
        self.handles = handles
        self.tagIDs = tagIDs
        self.departmentIDs = departmentIDs
        self.createdAt = createdAt
    }
}

/// A deal of a lead, sitting at one pipeline stage.
public struct Deal: Hashable, Sendable, Codable {
    public var id: DealID
    public var workspaceID: WorkspaceID
    public var externalID: String?
    public var contactID: ContactID
    public var stageID: StageID
    public var title: String
    /// Value in cents of the workspace's currency, when known.
    public var valueCents: Int64?

    public init(
        id: DealID, workspaceID: WorkspaceID, externalID: String?, contactID: ContactID,
        stageID: StageID, title: String, valueCents: Int64?
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.externalID = externalID
        self.contactID = contactID
        self.stageID = stageID
        self.title = title
        self.valueCents = valueCents
    }
}
