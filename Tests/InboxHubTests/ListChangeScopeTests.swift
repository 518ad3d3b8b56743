import InboxCore
import InboxHub
import Testing

@Suite("ListChange.of: scope")
struct ListChangeScopeTests {
    let viewer = Fixture.viewer(agent: 10, role: .admin)

    @Test func mineEntersWhenTheViewerClaimsIt() {
        let previous = Fixture.conversation(assignee: nil)
        let current = previous.changed { $0.assigneeID = AgentID(10) }
        #expect(ListChange.of(ConversationFilter(scope: .mine), viewer: viewer, previous: previous, current: current) == .entered)
    }

    @Test func mineEntersWhenTransferredToTheViewer() {
        let previous = Fixture.conversation(assignee: 11)
        let current = previous.changed { $0.assigneeID = AgentID(10) }
        #expect(ListChange.of(ConversationFilter(scope: .mine), viewer: viewer, previous: previous, current: current) == .entered)
    }

    @Test func mineUpdatesWhileItStaysTheViewers() {
        let previous = Fixture.conversation(assignee: 10)
        let current = previous.changed { $0.tagIDs = [TagID(3)]; $0.awaitingReply = true }
        #expect(ListChange.of(ConversationFilter(scope: .mine), viewer: viewer, previous: previous, current: current) == .updated)
    }

    @Test(arguments: [nil, 11] as [Int64?])
    func mineLeavesReassignedWhenReleasedOrTransferred(_ newAssignee: Int64?) {
        let previous = Fixture.conversation(assignee: 10)
        let current = previous.changed { $0.assigneeID = newAssignee.map(AgentID.init) }
        #expect(ListChange.of(ConversationFilter(scope: .mine), viewer: viewer, previous: previous, current: current) == .left(.reassigned))
    }

    @Test func mineIgnoresOtherAgentsConversations() {
        let previous = Fixture.conversation(assignee: 11)
        let current = previous.changed { $0.assigneeID = AgentID(12) }
        #expect(ListChange.of(ConversationFilter(scope: .mine), viewer: viewer, previous: previous, current: current) == nil)
    }

    @Test(arguments: [10, 11] as [Int64])
    func unassignedEntersWhenReleased(_ formerAssignee: Int64) {
        let previous = Fixture.conversation(assignee: formerAssignee)
        let current = previous.changed { $0.assigneeID = nil }
        #expect(ListChange.of(ConversationFilter(scope: .unassigned), viewer: viewer, previous: previous, current: current) == .entered)
    }

    @Test func unassignedUpdatesWhileNobodyHoldsIt() {
        let previous = Fixture.conversation(assignee: nil)
        let current = previous.changed { $0.stageIDs = [StageID(2)] }
        #expect(ListChange.of(ConversationFilter(scope: .unassigned), viewer: viewer, previous: previous, current: current) == .updated)
    }

    @Test(arguments: [10, 11] as [Int64])
    func unassignedLeavesReassignedWhenClaimed(_ claimant: Int64) {
        let previous = Fixture.conversation(assignee: nil)
        let current = previous.changed { $0.assigneeID = AgentID(claimant) }
        #expect(ListChange.of(ConversationFilter(scope: .unassigned), viewer: viewer, previous: previous, current: current) == .left(.reassigned))
    }

    @Test(arguments: [nil, 10, 11] as [Int64?])
    func allOnlyUpdatesOnAnAssigneeChange(_ newAssignee: Int64?) {
        let previous = Fixture.conversation(assignee: 12)
        let current = previous.changed { $0.assigneeID = newAssignee.map(AgentID.init) }
        #expect(ListChange.of(ConversationFilter(scope: .all), viewer: viewer, previous: previous, current: current) == .updated)
    }

    @Test func unassignedAgentListGainsAConversationReleasedInTheirDepartment() {
        let agent = Fixture.viewer(agent: 10, role: .agent, departments: [1])
        let previous = Fixture.conversation(assignee: 11, departments: [1])
        let current = previous.changed { $0.assigneeID = nil }
        #expect(ListChange.of(ConversationFilter(scope: .unassigned), viewer: agent, previous: previous, current: current) == .entered)
    }
}
