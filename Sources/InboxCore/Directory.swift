/// The tenant. Every other entity belongs to exactly one workspace.
public struct Workspace: Hashable, Sendable, Codable {
    public var id: WorkspaceID
    public var name: String
    public var slug: String
    public var createdAt: Timestamp

    public init(id: WorkspaceID, name: String, slug: String, createdAt: Timestamp) {
        self.id = id
        self.name = name
        self.slug = slug
        self.createdAt = createdAt
    }
}

/// A team inside a workspace (Vendas, Suporte, Financeiro): a queue conversations can sit in.
public struct Department: Hashable, Sendable, Codable {
    public var id: DepartmentID
    public var workspaceID: WorkspaceID
    public var name: String
    public var active: Bool

    public init(id: DepartmentID, workspaceID: WorkspaceID, name: String, active: Bool = true) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.active = active
    }
}

/// A label on a lead.
public struct Tag: Hashable, Sendable, Codable {
    public var id: TagID
    public var workspaceID: WorkspaceID
    public var name: String
    /// A CSS hex colour such as `#1f9d55`, for clients that draw chips.
    public var color: String
    public var active: Bool

    public init(id: TagID, workspaceID: WorkspaceID, name: String, color: String, active: Bool = true) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.color = color
        self.active = active
    }
}

/// The kind of channel a connection speaks through.
public enum ConnectionKind: String, Hashable, Sendable, Codable, CaseIterable {
    case whatsapp, instagram, api, other
}

/// A channel through which customers write: a WhatsApp number, an Instagram account, an API.
public struct Connection: Hashable, Sendable, Codable {
    public var id: ConnectionID
    public var workspaceID: WorkspaceID
    public var kind: ConnectionKind
    public var name: String
    public var active: Bool
    /// How messages sent on this connection reach the customer.
    public var outbound: OutboundSettings

    public init(id: ConnectionID, workspaceID: WorkspaceID, kind: ConnectionKind, name: String, active: Bool = true, outbound: OutboundSettings = .noAdapter) {
        self.id = id
        self.workspaceID = workspaceID
        self.kind = kind
        self.name = name
        self.active = active
        self.outbound = outbound
    }
}

/// One step of a sales pipeline ("Proposta enviada").
public struct Stage: Hashable, Sendable, Codable {
    public var id: StageID
    public var pipelineID: PipelineID
    public var name: String
    /// Zero-based place in the pipeline.
    public var position: Int
    public var active: Bool

    public init(id: StageID, pipelineID: PipelineID, name: String, position: Int, active: Bool = true) {
        self.id = id
        self.pipelineID = pipelineID
        self.name = name
        self.position = position
        self.active = active
    }
}

/// A sales pipeline with its ordered stages.
public struct Pipeline: Hashable, Sendable, Codable {
    public var id: PipelineID
    public var workspaceID: WorkspaceID
    public var name: String
    public var active: Bool
    /// Ordered by `position`.
    public var stages: [Stage]

    public init(id: PipelineID, workspaceID: WorkspaceID, name: String, active: Bool = true, stages: [Stage]) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.active = active
        self.stages = stages
    }
}
