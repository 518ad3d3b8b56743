import InboxCore
import Testing

@Suite("ConversationFilter: any-of sets")
struct FilterSetTests {
    let admin = Fixture.viewer(role: .admin)

    @Test func connectionsAnyOf() {
        let filter = ConversationFilter(connectionIDs: [ConnectionID(1), ConnectionID(3)])
        #expect(filter.matches(Fixture.conversation(connection: 1), viewer: admin))
        #expect(filter.matches(Fixture.conversation(connection: 3), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(connection: 2), viewer: admin))
    }

    @Test func tagsAnyOf() {
        let filter = ConversationFilter(tagIDs: [TagID(5), TagID(6)])
        #expect(filter.matches(Fixture.conversation(tags: [6]), viewer: admin))
        #expect(filter.matches(Fixture.conversation(tags: [1, 5, 9]), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(tags: [1, 2]), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(tags: []), viewer: admin))
    }

    @Test func stagesAnyOf() {
        let filter = ConversationFilter(stageIDs: [StageID(7)])
        #expect(filter.matches(Fixture.conversation(stages: [7, 8]), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(stages: [8]), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(stages: []), viewer: admin))
    }

    @Test func departmentsAnyOf() {
        let filter = ConversationFilter(departmentIDs: [DepartmentID(2), DepartmentID(4)])
        #expect(filter.matches(Fixture.conversation(departments: [4]), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(departments: [3]), viewer: admin))
        // "No department" is visible to everyone but does not match a department filter.
        #expect(!filter.matches(Fixture.conversation(departments: []), viewer: admin))
    }

    @Test func emptySetsDoNotRestrict() {
        let filter = ConversationFilter(connectionIDs: [], tagIDs: [], stageIDs: [], departmentIDs: [])
        #expect(filter.matches(Fixture.conversation(connection: 9, departments: [1], tags: [2], stages: [3]), viewer: admin))
        #expect(filter.matches(Fixture.conversation(), viewer: admin))
    }

    @Test func setsCombineWithAnd() {
        let filter = ConversationFilter(connectionIDs: [ConnectionID(1)], tagIDs: [TagID(2)], stageIDs: [StageID(3)])
        #expect(filter.matches(Fixture.conversation(connection: 1, tags: [2], stages: [3]), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(connection: 2, tags: [2], stages: [3]), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(connection: 1, tags: [9], stages: [3]), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(connection: 1, tags: [2], stages: [9]), viewer: admin))
    }

    @Test func setsCombineWithStatusAndScope() {
        let filter = ConversationFilter(scope: .unassigned, statuses: [.awaitingReply], tagIDs: [TagID(2)])
        #expect(filter.matches(Fixture.conversation(tags: [2], awaitingReply: true), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(assignee: 10, tags: [2], awaitingReply: true), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(tags: [2], awaitingReply: false), viewer: admin))
    }
}
