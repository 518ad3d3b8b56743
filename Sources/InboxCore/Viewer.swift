/// The agent on whose behalf a list is read or a command is run.
public struct Viewer: Hashable, Sendable {
    public var agentID: AgentID
    public var workspaceID: WorkspaceID
    public var role: Role
    public var departmentIDs: Set<DepartmentID>

    public init(agentID: AgentID, workspaceID: WorkspaceID, role: Role, departmentIDs: Set<DepartmentID>) {
        self.agentID = agentID
        self.workspaceID = workspaceID
        self.role = role
        self.departmentIDs = departmentIDs
    }

    /// The visibility rule. Admins and supervisors see the whole workspace; an agent sees
    /// conversations assigned to them, conversations in one of their departments, and
    /// conversations with no department. Nothing is ever visible across workspaces.
    public func canSee(_ conversation: Conversation) -> Bool {
        guard conversation.workspaceID == workspaceID else { return false }
        if role.seesWholeWorkspace { return true }
        if conversation.assigneeID == agentID { return true }
        if conversation.departmentIDs.isEmpty { return true }
        return conversation.departmentIDs.contains(where: departmentIDs.contains)
    }
}
