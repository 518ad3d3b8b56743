import InboxCore
import Testing

@Suite("Viewer visibility")
struct ViewerTests {
    @Test(arguments: [Role.admin, .supervisor])
    func wholeWorkspaceRolesSeeEverything(_ role: Role) {
        #expect(role.seesWholeWorkspace)
        let viewer = Fixture.viewer(agent: 10, role: role, departments: [])
        #expect(viewer.canSee(Fixture.conversation(assignee: 99, departments: [7])))
        #expect(viewer.canSee(Fixture.conversation(assignee: nil, departments: [])))
        #expect(viewer.canSee(Fixture.conversation(status: .finished)))
    }

    @Test func agentSeesOwnConversationsInAnyDepartment() {
        let viewer = Fixture.viewer(agent: 10, role: .agent, departments: [1])
        #expect(!Role.agent.seesWholeWorkspace)
        #expect(viewer.canSee(Fixture.conversation(assignee: 10, departments: [5])))
    }

    @Test func agentSeesTheirDepartments() {
        let viewer = Fixture.viewer(agent: 10, role: .agent, departments: [1, 2])
        #expect(viewer.canSee(Fixture.conversation(assignee: 99, departments: [2])))
        #expect(viewer.canSee(Fixture.conversation(assignee: nil, departments: [3, 1])))
        #expect(!viewer.canSee(Fixture.conversation(assignee: 99, departments: [3])))
        #expect(!viewer.canSee(Fixture.conversation(assignee: nil, departments: [3, 4])))
    }

    @Test func agentSeesConversationsWithNoDepartment() {
        let viewer = Fixture.viewer(agent: 10, role: .agent, departments: [])
        #expect(viewer.canSee(Fixture.conversation(assignee: 99, departments: [])))
        #expect(viewer.canSee(Fixture.conversation(assignee: nil, departments: [])))
        #expect(!viewer.canSee(Fixture.conversation(assignee: nil, departments: [1])))
    }

    @Test(arguments: Role.allCases)
    func nobodySeesAnotherWorkspace(_ role: Role) {
        let viewer = Fixture.viewer(agent: 10, role: role, departments: [1])
        let foreign = Fixture.conversation(workspace: Fixture.otherWorkspace, assignee: 10, departments: [])
        #expect(!viewer.canSee(foreign))
        #expect(!ConversationFilter().matches(foreign, viewer: viewer))
        #expect(!ConversationFilter(scope: .mine).matches(foreign, viewer: viewer))
    }

    @Test func filterAppliesVisibilityOnTop() {
        let viewer = Fixture.viewer(agent: 10, role: .agent, departments: [1])
        let hidden = Fixture.conversation(assignee: nil, departments: [2])
        #expect(!ConversationFilter(scope: .unassigned).matches(hidden, viewer: viewer))
        #expect(!ConversationFilter(departmentIDs: [DepartmentID(2)]).matches(hidden, viewer: viewer))
        #expect(ConversationFilter(scope: .unassigned).matches(Fixture.conversation(departments: [1, 2]), viewer: viewer))
    }

    @Test func agentViewerMirrorsTheAgent() {
        let agent = Agent(
            id: AgentID(4), workspaceID: Fixture.workspace, name: "Bia", email: "bia@x.io", role: .agent,
            departmentIDs: [DepartmentID(2), DepartmentID(3)])
        #expect(agent.viewer == Fixture.viewer(agent: 4, role: .agent, departments: [2, 3]))
    }
}
