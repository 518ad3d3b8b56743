import InboxCore

/// Builders for domain values, so each test states only what it is about.
enum Fixture {
    static let workspace = WorkspaceID(1)
    static let otherWorkspace = WorkspaceID(2)

    static func conversation(
        id: Int64 = 1, workspace: WorkspaceID = Fixture.workspace, connection: Int64 = 1, assignee: Int64? = nil,
        departments: [Int64] = [], tags: [Int64] = [], stages: [Int64] = [], status: ConversationStatus = .open,
        awaitingReply: Bool = false, sendFailed: Bool = false, automated: Bool = false, unread: Int = 0,
        lastActivity: Int64 = 1_000, version: Int64 = 1
    ) -> Conversation {
        Conversation(
            id: ConversationID(id), workspaceID: workspace, contactID: ContactID(1), contactName: "Ana",
            connectionID: ConnectionID(connection), assigneeID: assignee.map(AgentID.init),
            departmentIDs: departments.map(DepartmentID.init), tagIDs: tags.map(TagID.init), stageIDs: stages.map(StageID.init),
            status: status, awaitingReply: awaitingReply, sendFailed: sendFailed, automated: automated, unreadCount: unread,
            lastMessagePreview: "", lastActivityAt: Timestamp(milliseconds: lastActivity),
            createdAt: Timestamp(milliseconds: 0), version: version)
    }

    static func viewer(
        agent: Int64 = 10, workspace: WorkspaceID = Fixture.workspace, role: Role = .admin, departments: Set<Int64> = []
    ) -> Viewer {
        Viewer(agentID: AgentID(agent), workspaceID: workspace, role: role, departmentIDs: Set(departments.map(DepartmentID.init)))
    }

    static func message(
        direction: MessageDirection, automated: Bool = false, text: String = "hello",
        attachments: [Attachment] = [], at millis: Int64 = 2_000
    ) -> Message {
        Message(
            id: MessageID(1), workspaceID: workspace, conversationID: ConversationID(1), direction: direction,
            authorAgentID: direction == .outbound && !automated ? AgentID(10) : nil, authorName: "x", text: text,
            attachments: attachments, deliveryStatus: direction == .inbound ? .delivered : .pending, failureReason: nil,
            automated: automated, clientMessageID: nil, providerMessageID: nil, createdAt: Timestamp(milliseconds: millis))
    }
}
