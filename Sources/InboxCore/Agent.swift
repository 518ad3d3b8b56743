/// What an agent may do in their workspace.
public enum Role: String, Hashable, Sendable, Codable, CaseIterable {
    /// Configures the workspace and sees everything.
    case admin
    /// Sees every conversation and may transfer any of them.
    case supervisor
    /// Sees their own conversations, their departments' and those with no department.
    case agent

    /// Whether this role sees every conversation of the workspace.
    public var seesWholeWorkspace: Bool { self != .agent }
}

/// A person who answers conversations. The password hash never leaves the store.
public struct Agent: Hashable, Sendable, Codable {
    public var id: AgentID
    public var workspaceID: WorkspaceID
    public var name: String
    /// Lower-cased; unique within the workspace.
    public var email: String
    public var role: Role
    public var departmentIDs: [DepartmentID]
    public var active: Bool
    /// Optional cap on open conversations assigned to this agent.
    public var maxOpenConversations: Int?

    public init(
        id: AgentID, workspaceID: WorkspaceID, name: String, email: String, role: Role,
        departmentIDs: [DepartmentID], active: Bool = true, maxOpenConversations: Int? = nil
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.email = email
        self.role = role
        self.departmentIDs = departmentIDs
        self.active = active
        self.maxOpenConversations = maxOpenConversations
    }

    /// The identity the visibility rule and the filter need.
    public var viewer: Viewer {
        Viewer(agentID: id, workspaceID: workspaceID, role: role, departmentIDs: Set(departmentIDs))
    }
}
