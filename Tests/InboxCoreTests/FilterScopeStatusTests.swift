import InboxCore
import Testing

@Suite("ConversationFilter: scope and status")
struct FilterScopeStatusTests {
    let admin = Fixture.viewer(agent: 10, role: .admin)

    @Test func emptyFilterMatchesEverythingVisible() {
        let filter = ConversationFilter()
        #expect(filter.matches(Fixture.conversation(), viewer: admin))
        #expect(filter.matches(Fixture.conversation(assignee: 99, status: .finished), viewer: admin))
    }

    @Test func scopeAllIgnoresAssignee() {
        let filter = ConversationFilter(scope: .all)
        for assignee: Int64? in [nil, 10, 11] {
            #expect(filter.matches(Fixture.conversation(assignee: assignee), viewer: admin))
        }
    }

    @Test func scopeMineOnlyTheViewersOwn() {
        let filter = ConversationFilter(scope: .mine)
        #expect(filter.matches(Fixture.conversation(assignee: 10), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(assignee: 11), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(assignee: nil), viewer: admin))
    }

    @Test func scopeUnassignedOnlyNobodys() {
        let filter = ConversationFilter(scope: .unassigned)
        #expect(filter.matches(Fixture.conversation(assignee: nil), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(assignee: 10), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(assignee: 11), viewer: admin))
    }

    @Test func withScopeChangesOnlyTheScope() {
        let filter = ConversationFilter(scope: .mine, statuses: [.open], tagIDs: [TagID(3)], order: .oldest)
        let copy = filter.with(scope: .unassigned)
        #expect(copy.scope == .unassigned)
        #expect(copy.statuses == filter.statuses && copy.tagIDs == filter.tagIDs && copy.order == filter.order)
    }

    @Test func statusOpen() {
        let filter = ConversationFilter(statuses: [.open])
        #expect(filter.matches(Fixture.conversation(status: .open), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(status: .finished), viewer: admin))
    }

    @Test func statusAwaitingReply() {
        let filter = ConversationFilter(statuses: [.awaitingReply])
        #expect(filter.matches(Fixture.conversation(awaitingReply: true), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(awaitingReply: false), viewer: admin))
    }

    @Test func statusSendFailed() {
        let filter = ConversationFilter(statuses: [.sendFailed])
        #expect(filter.matches(Fixture.conversation(sendFailed: true), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(sendFailed: false), viewer: admin))
    }

    @Test func statusAutomations() {
        let filter = ConversationFilter(statuses: [.automations])
        #expect(filter.matches(Fixture.conversation(automated: true), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(automated: false), viewer: admin))
    }

    @Test func statusFinished() {
        let filter = ConversationFilter(statuses: [.finished])
        #expect(filter.matches(Fixture.conversation(status: .finished), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(status: .open, awaitingReply: true), viewer: admin))
    }

    /// Even with stale flags, a finished conversation is never in an open-only chip.
    @Test(arguments: [StatusFilter.open, .awaitingReply, .sendFailed, .automations])
    func finishedNeverMatchesOpenOnlyStatuses(_ status: StatusFilter) {
        let finished = Fixture.conversation(status: .finished, awaitingReply: true, sendFailed: true, automated: true)
        #expect(!status.holds(for: finished))
        #expect(!ConversationFilter(statuses: [status]).matches(finished, viewer: admin))
    }

    @Test func statusesCombineWithAnyOf() {
        let filter = ConversationFilter(statuses: [.sendFailed, .finished])
        #expect(filter.matches(Fixture.conversation(sendFailed: true), viewer: admin))
        #expect(filter.matches(Fixture.conversation(status: .finished), viewer: admin))
        #expect(!filter.matches(Fixture.conversation(awaitingReply: true, automated: true), viewer: admin))
    }

    @Test func allStatusesMatchEverything() {
        let filter = ConversationFilter(statuses: Set(StatusFilter.allCases))
        #expect(filter.matches(Fixture.conversation(), viewer: admin))
        #expect(filter.matches(Fixture.conversation(status: .finished), viewer: admin))
    }

    @Test func validateBoundsEachSet() throws {
        let ok = ConversationFilter(tagIDs: Set((1...Int64(ConversationFilter.maxIDsPerSet)).map(TagID.init)))
        try ok.validate()
        let tooMany = ConversationFilter(connectionIDs: Set((0...Int64(ConversationFilter.maxIDsPerSet)).map(ConnectionID.init)))
        #expect(throws: InboxError.invalidField(field: "connections", reason: "at most 200 ids")) { try tooMany.validate() }
        let tooManyDepartments = ConversationFilter(departmentIDs: Set((0...300).map(DepartmentID.init)))
        #expect(throws: InboxError.self) { try tooManyDepartments.validate() }
    }
}
