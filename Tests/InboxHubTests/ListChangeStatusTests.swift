import InboxCore
import InboxHub
import Testing

/// Sets the flag behind one of the open-only flag chips.
private func setFlag(_ status: StatusFilter, _ value: Bool, on conversation: inout Conversation) {
    switch status {
    case .awaitingReply: conversation.awaitingReply = value
    case .sendFailed: conversation.sendFailed = value
    case .automations: conversation.automated = value
    case .open, .finished: Issue.record("\(status) is not a flag")
    }
}

@Suite("ListChange.of: status")
struct ListChangeStatusTests {
    static let flagChips: [StatusFilter] = [.awaitingReply, .sendFailed, .automations]
    let viewer = Fixture.viewer(role: .supervisor)

    // MARK: open

    @Test func openEntersOnReopen() {
        let previous = Fixture.conversation(status: .finished)
        let current = previous.changed { $0.status = .open }
        #expect(ListChange.of(ConversationFilter(statuses: [.open]), viewer: viewer, previous: previous, current: current) == .entered)
    }

    @Test func openUpdatesWhileOpen() {
        let previous = Fixture.conversation()
        let current = previous.changed { $0.awaitingReply = true }
        #expect(ListChange.of(ConversationFilter(statuses: [.open]), viewer: viewer, previous: previous, current: current) == .updated)
    }

    @Test func openLeavesFinished() {
        let previous = Fixture.conversation(awaitingReply: true)
        let current = previous.changed { ConversationActivity.finish(&$0) }
        #expect(ListChange.of(ConversationFilter(statuses: [.open]), viewer: viewer, previous: previous, current: current) == .left(.finished))
    }

    // MARK: finished

    @Test func finishedEntersOnFinish() {
        let previous = Fixture.conversation(sendFailed: true)
        let current = previous.changed { ConversationActivity.finish(&$0) }
        #expect(ListChange.of(ConversationFilter(statuses: [.finished]), viewer: viewer, previous: previous, current: current) == .entered)
    }

    @Test func finishedUpdatesWhileFinished() {
        let previous = Fixture.conversation(status: .finished)
        let current = previous.changed { $0.tagIDs = [TagID(1)] }
        #expect(ListChange.of(ConversationFilter(statuses: [.finished]), viewer: viewer, previous: previous, current: current) == .updated)
    }

    @Test func finishedLeavesOnReopenAsAFilterMismatch() {
        let previous = Fixture.conversation(status: .finished)
        let current = previous.changed { $0.status = .open; $0.awaitingReply = true }
        #expect(ListChange.of(ConversationFilter(statuses: [.finished]), viewer: viewer, previous: previous, current: current) == .left(.filterMismatch))
    }

    // MARK: awaiting reply, send failed, automations

    @Test(arguments: flagChips)
    func flagChipEntersWhenTheFlagIsSet(_ chip: StatusFilter) {
        let previous = Fixture.conversation()
        let current = previous.changed { setFlag(chip, true, on: &$0) }
        #expect(ListChange.of(ConversationFilter(statuses: [chip]), viewer: viewer, previous: previous, current: current) == .entered)
    }

    @Test(arguments: flagChips)
    func flagChipUpdatesWhileTheFlagHolds(_ chip: StatusFilter) {
        var start = Fixture.conversation()
        setFlag(chip, true, on: &start)
        let current = start.changed { $0.tagIDs = [TagID(4)]; $0.unreadCount = 2 }
        #expect(ListChange.of(ConversationFilter(statuses: [chip]), viewer: viewer, previous: start, current: current) == .updated)
    }

    @Test(arguments: flagChips)
    func flagChipLeavesAsAFilterMismatchWhenTheFlagClears(_ chip: StatusFilter) {
        var start = Fixture.conversation()
        setFlag(chip, true, on: &start)
        let current = start.changed { setFlag(chip, false, on: &$0) }
        #expect(ListChange.of(ConversationFilter(statuses: [chip]), viewer: viewer, previous: start, current: current) == .left(.filterMismatch))
    }

    @Test(arguments: flagChips)
    func flagChipLeavesFinishedWhenFinished(_ chip: StatusFilter) {
        var start = Fixture.conversation()
        setFlag(chip, true, on: &start)
        let current = start.changed { ConversationActivity.finish(&$0) }
        #expect(ListChange.of(ConversationFilter(statuses: [chip]), viewer: viewer, previous: start, current: current) == .left(.finished))
    }

    @Test func chipsAreAnyOfSoClearingOneFlagWhileAnotherHoldsUpdates() {
        let previous = Fixture.conversation(awaitingReply: true, sendFailed: true)
        let current = previous.changed { $0.awaitingReply = false }
        let filter = ConversationFilter(statuses: [.awaitingReply, .sendFailed])
        #expect(ListChange.of(filter, viewer: viewer, previous: previous, current: current) == .updated)
    }

    @Test func openAndFinishedTogetherKeepItAcrossAFinish() {
        let previous = Fixture.conversation()
        let current = previous.changed { ConversationActivity.finish(&$0) }
        let filter = ConversationFilter(statuses: [.open, .finished])
        #expect(ListChange.of(filter, viewer: viewer, previous: previous, current: current) == .updated)
    }
}
