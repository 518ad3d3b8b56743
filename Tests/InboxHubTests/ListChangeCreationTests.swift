import InboxCore
import InboxHub
import Testing

@Suite("ListChange.of: creation and unconcerned lists")
struct ListChangeCreationTests {
    let admin = Fixture.viewer(agent: 10, role: .admin)

    @Test func aCreatedConversationEntersTheListsItMatches() {
        let created = Fixture.conversation(assignee: nil, tags: [1])
        for filter in [ConversationFilter(), ConversationFilter(scope: .unassigned), ConversationFilter(statuses: [.open]), ConversationFilter(tagIDs: [TagID(1)])] {
            #expect(ListChange.of(filter, viewer: admin, previous: nil, current: created) == .entered, "\(filter)")
        }
    }

    @Test func aCreatedConversationDoesNotConcernTheListsItMisses() {
        let created = Fixture.conversation(assignee: nil, tags: [1])
        for filter in [ConversationFilter(scope: .mine), ConversationFilter(statuses: [.finished]), ConversationFilter(tagIDs: [TagID(2)])] {
            #expect(ListChange.of(filter, viewer: admin, previous: nil, current: created) == nil, "\(filter)")
        }
    }

    @Test func creationNeverUpdatesOrRemoves() {
        let created = Fixture.conversation(assignee: 10, departments: [3], status: .finished)
        for role in Role.allCases {
            for scope in ConversationScope.allCases {
                for status in StatusFilter.allCases {
                    let filter = ConversationFilter(scope: scope, statuses: [status])
                    let viewer = Fixture.viewer(agent: 11, role: role, departments: [1])
                    let change = ListChange.of(filter, viewer: viewer, previous: nil, current: created)
                    #expect(change == nil || change == .entered)
                }
            }
        }
    }

    @Test func aCreatedConversationOfAnotherWorkspaceConcernsNobody() {
        let created = Fixture.conversation(workspace: Fixture.otherWorkspace)
        #expect(ListChange.of(ConversationFilter(), viewer: admin, previous: nil, current: created) == nil)
    }

    @Test func aCreatedConversationInAnotherDepartmentIsInvisibleToAnAgent() {
        let agent = Fixture.viewer(agent: 10, role: .agent, departments: [1])
        let created = Fixture.conversation(departments: [2])
        #expect(ListChange.of(ConversationFilter(), viewer: agent, previous: nil, current: created) == nil)
        let own = Fixture.conversation(assignee: 10, departments: [2])
        #expect(ListChange.of(ConversationFilter(), viewer: agent, previous: nil, current: own) == .entered)
    }

    @Test func aChangeOutsideTheListBothBeforeAndAfterIsNil() {
        let previous = Fixture.conversation(tags: [1])
        let current = previous.changed { $0.tagIDs = [TagID(2)]; $0.awaitingReply = true }
        #expect(ListChange.of(ConversationFilter(tagIDs: [TagID(3)]), viewer: admin, previous: previous, current: current) == nil)
    }

    @Test func anUnchangedCopyInTheListIsAnUpdate() {
        let conversation = Fixture.conversation()
        #expect(ListChange.of(ConversationFilter(), viewer: admin, previous: conversation, current: conversation) == .updated)
    }

    // MARK: totalDelta

    @Test func totalDeltaOfEnteredAndUpdated() {
        #expect(ListChange.entered.totalDelta == 1)
        #expect(ListChange.updated.totalDelta == 0)
    }

    @Test(arguments: RemovalReason.allCases)
    func totalDeltaOfLeftIsMinusOne(_ reason: RemovalReason) {
        #expect(ListChange.left(reason).totalDelta == -1)
    }

    @Test func totalDeltasFollowTheListCount() {
        let filter = ConversationFilter(scope: .mine)
        let unassigned = Fixture.conversation(assignee: nil)
        let claimed = unassigned.changed { $0.assigneeID = AgentID(10) }
        let touched = claimed.changed { $0.unreadCount = 1 }
        let released = touched.changed { $0.assigneeID = nil }
        var count = 0
        for (previous, current) in [(unassigned, claimed), (claimed, touched), (touched, released)] {
            count += ListChange.of(filter, viewer: admin, previous: previous, current: current)?.totalDelta ?? 0
            #expect(count == (filter.matches(current, viewer: admin) ? 1 : 0))
        }
    }

    @Test(arguments: RemovalReason.allCases)
    func reasonsUseTheWireNames(_ reason: RemovalReason) {
        let expected: [RemovalReason: String] = [
            .finished: "finished", .reassigned: "reassigned", .filterMismatch: "filter_mismatch", .notVisible: "not_visible",
        ]
        #expect(reason.rawValue == expected[reason])
    }
}
