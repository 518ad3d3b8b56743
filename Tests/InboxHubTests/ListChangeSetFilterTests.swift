import InboxCore
import InboxHub
import Testing

@Suite("ListChange.of: connection, tag, stage, department")
struct ListChangeSetFilterTests {
    let viewer = Fixture.viewer(role: .admin)

    private func change(_ filter: ConversationFilter, _ previous: Conversation, _ current: Conversation) -> ListChange? {
        ListChange.of(filter, viewer: viewer, previous: previous, current: current)
    }

    // MARK: connection

    @Test func connection() {
        let filter = ConversationFilter(connectionIDs: [ConnectionID(2), ConnectionID(3)])
        let outside = Fixture.conversation(connection: 1)
        let inside = outside.changed { $0.connectionID = ConnectionID(2) }
        #expect(change(filter, outside, inside) == .entered)
        #expect(change(filter, inside, inside.changed { $0.connectionID = ConnectionID(3) }) == .updated)
        #expect(change(filter, inside, inside.changed { $0.awaitingReply = true }) == .updated)
        #expect(change(filter, inside, inside.changed { $0.connectionID = ConnectionID(1) }) == .left(.filterMismatch))
        #expect(change(filter, outside, outside.changed { $0.connectionID = ConnectionID(4) }) == nil)
    }

    // MARK: tag

    @Test func tagAddedEnters() {
        let previous = Fixture.conversation(tags: [1])
        #expect(change(ConversationFilter(tagIDs: [TagID(5)]), previous, previous.changed { $0.tagIDs = [TagID(1), TagID(5)] }) == .entered)
    }

    @Test func tagListUpdatesWhileOneOfItsTagsRemains() {
        let previous = Fixture.conversation(tags: [5, 6])
        let filter = ConversationFilter(tagIDs: [TagID(5), TagID(6)])
        #expect(change(filter, previous, previous.changed { $0.tagIDs = [TagID(6)] }) == .updated)
    }

    @Test func tagRemovedLeavesAsAFilterMismatch() {
        let previous = Fixture.conversation(tags: [2, 5])
        #expect(change(ConversationFilter(tagIDs: [TagID(5)]), previous, previous.changed { $0.tagIDs = [TagID(2)] }) == .left(.filterMismatch))
    }

    @Test func otherTagsDoNotConcernATagList() {
        let previous = Fixture.conversation(tags: [1])
        #expect(change(ConversationFilter(tagIDs: [TagID(5)]), previous, previous.changed { $0.tagIDs = [TagID(2)] }) == nil)
    }

    // MARK: stage

    @Test func stage() {
        let filter = ConversationFilter(stageIDs: [StageID(7)])
        let before = Fixture.conversation(stages: [6])
        let moved = before.changed { $0.stageIDs = [StageID(7)] }
        #expect(change(filter, before, moved) == .entered)
        #expect(change(filter, moved, moved.changed { $0.stageIDs = [StageID(7), StageID(9)] }) == .updated)
        #expect(change(filter, moved, moved.changed { $0.stageIDs = [StageID(8)] }) == .left(.filterMismatch))
        #expect(change(filter, moved, moved.changed { $0.stageIDs = [] }) == .left(.filterMismatch))
    }

    // MARK: department

    @Test func department() {
        let filter = ConversationFilter(departmentIDs: [DepartmentID(2)])
        let sales = Fixture.conversation(departments: [1])
        let support = sales.changed { $0.departmentIDs = [DepartmentID(2)] }
        #expect(change(filter, sales, support) == .entered)
        #expect(change(filter, support, support.changed { $0.departmentIDs = [DepartmentID(2), DepartmentID(3)] }) == .updated)
        #expect(change(filter, support, support.changed { $0.departmentIDs = [DepartmentID(3)] }) == .left(.filterMismatch))
        // "No department" does not match a department filter.
        #expect(change(filter, support, support.changed { $0.departmentIDs = [] }) == .left(.filterMismatch))
    }

    @Test func departmentFilterOfAnAgentWhoStillSeesItIsAFilterMismatch() {
        let agent = Fixture.viewer(agent: 10, role: .agent, departments: [1, 2])
        let filter = ConversationFilter(departmentIDs: [DepartmentID(2)])
        let previous = Fixture.conversation(departments: [2])
        let current = previous.changed { $0.departmentIDs = [DepartmentID(1)] }
        #expect(ListChange.of(filter, viewer: agent, previous: previous, current: current) == .left(.filterMismatch))
    }
}
