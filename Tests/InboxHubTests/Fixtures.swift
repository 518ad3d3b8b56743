import InboxCore

/// Builders for domain values, so each test states only what it is about.
enum Fixture {
    static let workspace = WorkspaceID(1)
    static let otherWorkspace = WorkspaceID(2)

    static func conversation(
        id: Int64 = 1, workspace: WorkspaceID = Fixture.workspace, connection: Int64 = 1, assignee: Int64? = nil,
        departments: [Int64] = [], tags: [Int64] = [], stages: [Int64] = [], status: ConversationStatus = .open,
        awaitingReply: Bool = false, sendFailed: Bool = false, automated: Bool = false, version: Int64 = 1
    ) -> Conversation {
        Conversation(
            id: ConversationID(id), workspaceID: workspace, contactID: ContactID(1), contactName: "Ana",
            connectionID: ConnectionID(connection), assigneeID: assignee.map(AgentID.init),
            departmentIDs: departments.map(DepartmentID.init), tagIDs: tags.map(TagID.init),
            stageIDs: stages.map(StageID.init), status: status, awaitingReply: awaitingReply, sendFailed: sendFailed,
            automated: automated, unreadCount: 0, lastMessagePreview: "", lastActivityAt: Timestamp(milliseconds: 1_000),
            createdAt: Timestamp(milliseconds: 0), version: version)
    }

    static func viewer(
        agent: Int64 = 10, workspace: WorkspaceID = Fixture.workspace, role: Role = .admin, departments: Set<Int64> = []
    ) -> Viewer {
        Viewer(agentID: AgentID(agent), workspaceID: workspace, role: role, departmentIDs: Set(departments.map(DepartmentID.init)))
    }
}

extension Conversation {
    /// A copy changed by `change`, one version later: the `current` of a change from `self`.
    func changed(_ change: (inout Conversation) -> Void) -> Conversation {
        var copy = self
        change(&copy)
        copy.version += 1
        return copy
    }
}
