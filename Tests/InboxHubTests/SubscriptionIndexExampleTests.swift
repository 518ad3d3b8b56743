import InboxCore
import InboxHub
import Testing

/// Concrete cases of the key coverage: a list is a candidate through the keys of the
/// conversation before the change (what it leaves) as well as after (what it enters).
@Suite("SubscriptionIndex.candidates: examples")
struct SubscriptionIndexExampleTests {
    let admin = Fixture.viewer(agent: 10, role: .admin)
    let agent = Fixture.viewer(agent: 10, role: .agent, departments: [1])

    @Test func anEmptyIndexHasNoCandidates() {
        let index = SubscriptionIndex<Int>()
        #expect(index.candidates(previous: nil, current: Fixture.conversation()).isEmpty)
    }

    @Test func mineSeesTheClaimAndTheRelease() {
        var index = SubscriptionIndex<Int>()
        index.insert(1, filter: ConversationFilter(scope: .mine), viewer: admin)
        let unassigned = Fixture.conversation(assignee: nil)
        let claimed = unassigned.changed { $0.assigneeID = AgentID(10) }
        #expect(index.candidates(previous: unassigned, current: claimed) == [1])
        #expect(index.candidates(previous: claimed, current: unassigned) == [1])
        #expect(index.candidates(previous: nil, current: unassigned).isEmpty)
    }

    @Test func unassignedSeesTheClaimThroughThePreviousCopy() {
        var index = SubscriptionIndex<Int>()
        index.insert(1, filter: ConversationFilter(scope: .unassigned), viewer: admin)
        let previous = Fixture.conversation(assignee: nil)
        #expect(index.candidates(previous: previous, current: previous.changed { $0.assigneeID = AgentID(11) }) == [1])
    }

    @Test func agentsAllListSeesAConversationLeaveTheirDepartment() {
        var index = SubscriptionIndex<Int>()
        index.insert(1, filter: ConversationFilter(), viewer: agent)
        let previous = Fixture.conversation(departments: [1])
        let current = previous.changed { $0.departmentIDs = [DepartmentID(2)] }
        #expect(index.candidates(previous: previous, current: current) == [1])
        #expect(ListChange.of(ConversationFilter(), viewer: agent, previous: previous, current: current) == .left(.notVisible))
    }

    @Test func agentsAllListSeesConversationsWithoutDepartment() {
        var index = SubscriptionIndex<Int>()
        index.insert(1, filter: ConversationFilter(), viewer: agent)
        #expect(index.candidates(previous: nil, current: Fixture.conversation(departments: [])) == [1])
        #expect(index.candidates(previous: nil, current: Fixture.conversation(departments: [3])).isEmpty)
        #expect(index.candidates(previous: nil, current: Fixture.conversation(assignee: 10, departments: [3])) == [1])
    }

    @Test func setFiltersSeeTheValueRemoved() {
        var index = SubscriptionIndex<Int>()
        index.insert(1, filter: ConversationFilter(tagIDs: [TagID(5)]), viewer: admin)
        index.insert(2, filter: ConversationFilter(stageIDs: [StageID(5)]), viewer: admin)
        index.insert(3, filter: ConversationFilter(departmentIDs: [DepartmentID(5)]), viewer: admin)
        index.insert(4, filter: ConversationFilter(connectionIDs: [ConnectionID(5)]), viewer: admin)
        let previous = Fixture.conversation(connection: 5, departments: [5], tags: [5], stages: [5])
        let current = previous.changed {
            $0.connectionID = ConnectionID(6); $0.departmentIDs = []; $0.tagIDs = []; $0.stageIDs = []
        }
        #expect(index.candidates(previous: previous, current: current) == [1, 2, 3, 4])
        #expect(index.candidates(previous: current, current: current).isEmpty)
    }

    @Test func anotherWorkspacesListsAreNeverCandidates() {
        var index = SubscriptionIndex<Int>()
        let foreignAdmin = Fixture.viewer(agent: 10, workspace: Fixture.otherWorkspace, role: .admin)
        index.insert(1, filter: ConversationFilter(), viewer: foreignAdmin)
        index.insert(2, filter: ConversationFilter(scope: .mine), viewer: foreignAdmin)
        index.insert(3, filter: ConversationFilter(tagIDs: [TagID(1)]), viewer: foreignAdmin)
        let previous = Fixture.conversation(assignee: 10, tags: [1])
        #expect(index.candidates(previous: previous, current: previous.changed { $0.unreadCount = 1 }).isEmpty)
        index.insert(4, filter: ConversationFilter(), viewer: admin)
        #expect(index.candidates(previous: previous, current: previous.changed { $0.unreadCount = 1 }) == [4])
    }
}
