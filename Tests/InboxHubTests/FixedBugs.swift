import InboxCore
import InboxHub
import Testing

/// Regression tests for defects found while writing this suite.
@Suite("Fixed bugs")
struct FixedBugs {
    /// An agent sees a conversation of a department they are not in only because it is assigned
    /// to them. It is transferred to a colleague, its departments untouched. The agent's Mine
    /// list loses it because its assignee changed (`reassigned`: "claimed, released, transferred"),
    /// yet `ListChange.reason` checks visibility first and reports `not_visible`, which
    /// RemovalReason documents as "moved to a department they are not in" — it did not move.
    @Test
    func transferOutOfMineWithoutADepartmentMoveIsReassigned() {
        let agent = Fixture.viewer(agent: 10, role: .agent, departments: [1])
        let previous = Fixture.conversation(assignee: 10, departments: [2])
        let current = previous.changed { $0.assigneeID = AgentID(11) }
        #expect(ListChange.of(ConversationFilter(scope: .mine), viewer: agent, previous: previous, current: current) == .left(.reassigned))
        #expect(ListChange.of(ConversationFilter(), viewer: agent, previous: previous, current: current) == .left(.reassigned))
    }
}
