import InboxCore
import InboxHub
import Testing

@Suite("ListChange.of: removal reasons")
struct RemovalReasonTests {
    let admin = Fixture.viewer(agent: 10, role: .admin)
    /// An agent of department 1 only.
    let agent = Fixture.viewer(agent: 10, role: .agent, departments: [1])

    // MARK: finished

    @Test(arguments: [[StatusFilter.open], [.open, .awaitingReply], [.automations, .sendFailed]])
    func finishingLeavesAnOpenOnlyListAsFinished(_ statuses: Set<StatusFilter>) {
        let previous = Fixture.conversation(assignee: 10, awaitingReply: true, sendFailed: true, automated: true)
        let current = previous.changed { ConversationActivity.finish(&$0) }
        for scope in [ConversationScope.all, .mine] {
            let filter = ConversationFilter(scope: scope, statuses: statuses)
            #expect(ListChange.of(filter, viewer: admin, previous: previous, current: current) == .left(.finished), "\(scope)")
        }
    }

    @Test func finishingDoesNotConcernAListWithoutStatusesAsARemoval() {
        let previous = Fixture.conversation(assignee: 10)
        let current = previous.changed { ConversationActivity.finish(&$0) }
        #expect(ListChange.of(ConversationFilter(scope: .mine), viewer: admin, previous: previous, current: current) == .updated)
    }

    // MARK: reassigned

    @Test(arguments: [nil, 11] as [Int64?])
    func assigneeChangeDropsItFromMine(_ newAssignee: Int64?) {
        let previous = Fixture.conversation(assignee: 10, departments: [1])
        let current = previous.changed { $0.assigneeID = newAssignee.map(AgentID.init) }
        for viewer in [admin, agent] {
            let change = ListChange.of(ConversationFilter(scope: .mine), viewer: viewer, previous: previous, current: current)
            #expect(change == .left(.reassigned), "\(viewer.role)")
        }
    }

    @Test func claimDropsItFromUnassigned() {
        let previous = Fixture.conversation(assignee: nil, departments: [1])
        let current = previous.changed { $0.assigneeID = AgentID(11) }
        for viewer in [admin, agent] {
            let change = ListChange.of(ConversationFilter(scope: .unassigned), viewer: viewer, previous: previous, current: current)
            #expect(change == .left(.reassigned), "\(viewer.role)")
        }
    }

    @Test func reassignedUnderAnOpenOnlyMineListStaysReassigned() {
        let previous = Fixture.conversation(assignee: 10)
        let current = previous.changed { $0.assigneeID = AgentID(11) }
        let filter = ConversationFilter(scope: .mine, statuses: [.open])
        #expect(ListChange.of(filter, viewer: admin, previous: previous, current: current) == .left(.reassigned))
    }

    // MARK: filter mismatch

    @Test func tagRemoved() {
        let previous = Fixture.conversation(assignee: 10, tags: [3])
        let current = previous.changed { $0.tagIDs = [] }
        let filter = ConversationFilter(scope: .mine, tagIDs: [TagID(3)])
        #expect(ListChange.of(filter, viewer: admin, previous: previous, current: current) == .left(.filterMismatch))
    }

    @Test func stageChanged() {
        let previous = Fixture.conversation(stages: [1])
        let current = previous.changed { $0.stageIDs = [StageID(2)] }
        let filter = ConversationFilter(stageIDs: [StageID(1)])
        #expect(ListChange.of(filter, viewer: agent, previous: previous, current: current) == .left(.filterMismatch))
    }

    @Test(arguments: [StatusFilter.awaitingReply, .sendFailed, .automations])
    func statusFlagCleared(_ chip: StatusFilter) {
        let previous = Fixture.conversation(assignee: 10, awaitingReply: true, sendFailed: true, automated: true)
        let current = previous.changed {
            switch chip {
            case .awaitingReply: $0.awaitingReply = false
            case .sendFailed: $0.sendFailed = false
            default: $0.automated = false
            }
        }
        #expect(ListChange.of(ConversationFilter(statuses: [chip]), viewer: admin, previous: previous, current: current) == .left(.filterMismatch))
    }

    @Test func departmentMoveUnderAWholeWorkspaceViewerIsAFilterMismatch() {
        let previous = Fixture.conversation(departments: [1])
        let current = previous.changed { $0.departmentIDs = [DepartmentID(2)] }
        let filter = ConversationFilter(departmentIDs: [DepartmentID(1)])
        #expect(ListChange.of(filter, viewer: admin, previous: previous, current: current) == .left(.filterMismatch))
    }

    // MARK: not visible

    @Test(arguments: [nil, 11] as [Int64?])
    func agentLosesSightWhenMovedToAnotherDepartment(_ assignee: Int64?) {
        let previous = Fixture.conversation(assignee: assignee, departments: [1])
        let current = previous.changed { $0.departmentIDs = [DepartmentID(2)] }
        for scope in ConversationScope.allCases where scope != .mine {
            let change = ListChange.of(ConversationFilter(scope: scope), viewer: agent, previous: previous, current: current)
            if scope == .unassigned && assignee != nil {
                #expect(change == nil)
            } else {
                #expect(change == .left(.notVisible), "\(scope)")
            }
        }
    }

    @Test func agentLosesSightWhenAConversationWithoutDepartmentGetsOneOfAnother() {
        let previous = Fixture.conversation(departments: [])
        let current = previous.changed { $0.departmentIDs = [DepartmentID(3)] }
        #expect(ListChange.of(ConversationFilter(), viewer: agent, previous: previous, current: current) == .left(.notVisible))
    }

    @Test func notVisibleWinsOverAFilterMismatchInTheSameChange() {
        let previous = Fixture.conversation(departments: [1], tags: [4])
        let current = previous.changed { $0.departmentIDs = [DepartmentID(2)]; $0.tagIDs = [] }
        let filter = ConversationFilter(tagIDs: [TagID(4)])
        #expect(ListChange.of(filter, viewer: agent, previous: previous, current: current) == .left(.notVisible))
    }

    @Test func transferToAnotherAgentAndDepartmentIsNotVisibleToTheUnassignedList() {
        let previous = Fixture.conversation(assignee: nil, departments: [1])
        let current = previous.changed { $0.assigneeID = AgentID(11); $0.departmentIDs = [DepartmentID(2)] }
        let filter = ConversationFilter(scope: .unassigned)
        #expect(ListChange.of(filter, viewer: agent, previous: previous, current: current) == .left(.notVisible))
    }

    @Test func theAssigneeKeepsSightOfTheirConversationMovedToAnotherDepartment() {
        let previous = Fixture.conversation(assignee: 10, departments: [1])
        let current = previous.changed { $0.departmentIDs = [DepartmentID(2)] }
        for scope in [ConversationScope.all, .mine] {
            #expect(ListChange.of(ConversationFilter(scope: scope), viewer: agent, previous: previous, current: current) == .updated)
        }
    }

    @Test func movedToNoDepartmentStaysVisible() {
        let previous = Fixture.conversation(departments: [1])
        let current = previous.changed { $0.departmentIDs = [] }
        #expect(ListChange.of(ConversationFilter(), viewer: agent, previous: previous, current: current) == .updated)
    }

    @Test func adminsAndSupervisorsNeverLoseSight() {
        let previous = Fixture.conversation(departments: [1])
        let current = previous.changed { $0.departmentIDs = [DepartmentID(2)] }
        for role in [Role.admin, .supervisor] {
            let viewer = Fixture.viewer(agent: 10, role: role, departments: [1])
            #expect(ListChange.of(ConversationFilter(), viewer: viewer, previous: previous, current: current) == .updated)
        }
    }
}
