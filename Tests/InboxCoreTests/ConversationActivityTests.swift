import InboxCore
import Testing

@Suite("ConversationActivity")
struct ConversationActivityTests {
    @Test func inboundClearsAwaitingReplyAndCountsUnread() {
        var conversation = Fixture.conversation(awaitingReply: true, unread: 2, lastActivity: 1_000)
        ConversationActivity.apply(Fixture.message(direction: .inbound, text: "oi", at: 2_000), to: &conversation)
        #expect(!conversation.awaitingReply)
        #expect(conversation.unreadCount == 3)
        #expect(conversation.status == .open)
        #expect(conversation.lastActivityAt == Timestamp(milliseconds: 2_000))
        #expect(conversation.lastMessagePreview == "oi")
    }

    @Test func inboundReopensAFinishedConversationWithOneUnread() {
        var conversation = Fixture.conversation(status: .finished, unread: 5)
        ConversationActivity.apply(Fixture.message(direction: .inbound), to: &conversation)
        #expect(conversation.status == .open)
        #expect(conversation.unreadCount == 1)
        #expect(!conversation.awaitingReply)
    }

    @Test func inboundKeepsAutomatedFlag() {
        var conversation = Fixture.conversation(automated: true)
        ConversationActivity.apply(Fixture.message(direction: .inbound), to: &conversation)
        #expect(conversation.automated)
    }

    @Test func agentOutboundAwaitsReplyClearsAutomatedAndReads() {
        var conversation = Fixture.conversation(automated: true, unread: 4)
        ConversationActivity.apply(Fixture.message(direction: .outbound, automated: false), to: &conversation)
        #expect(conversation.awaitingReply)
        #expect(!conversation.automated)
        #expect(conversation.unreadCount == 0)
    }

    @Test func automatedOutboundSetsAutomatedAndKeepsUnread() {
        var conversation = Fixture.conversation(unread: 4)
        ConversationActivity.apply(Fixture.message(direction: .outbound, automated: true), to: &conversation)
        #expect(conversation.automated)
        #expect(conversation.awaitingReply)
        #expect(conversation.unreadCount == 4)
    }

    @Test(arguments: [false, true])
    func outboundOnFinishedConversationSetsNoOpenFlags(_ automated: Bool) {
        var conversation = Fixture.conversation(status: .finished)
        ConversationActivity.apply(Fixture.message(direction: .outbound, automated: automated), to: &conversation)
        #expect(conversation.status == .finished)
        #expect(!conversation.awaitingReply && !conversation.automated)
    }

    @Test func olderMessageDoesNotMoveActivityBack() {
        var conversation = Fixture.conversation(lastActivity: 5_000)
        ConversationActivity.apply(Fixture.message(direction: .inbound, at: 1_000), to: &conversation)
        #expect(conversation.lastActivityAt == Timestamp(milliseconds: 5_000))
    }

    @Test func finishClearsEveryFlag() {
        var conversation = Fixture.conversation(awaitingReply: true, sendFailed: true, automated: true, unread: 3)
        ConversationActivity.finish(&conversation)
        #expect(conversation.status == .finished)
        #expect(!conversation.awaitingReply && !conversation.sendFailed && !conversation.automated)
        #expect(conversation.unreadCount == 0)
    }

    @Test func reopenDerivesTheOpenOnlyFlagsFromTheMessages() {
        var conversation = Fixture.conversation(status: .finished)
        ConversationActivity.reopen(&conversation, facts: ThreadFacts(lastDirection: .outbound, latestBusinessMessageAutomated: true, hasUndismissedFailure: true))
        #expect(conversation.status == .open)
        #expect(conversation.awaitingReply && conversation.automated && conversation.sendFailed)
        var quiet = Fixture.conversation(status: .finished)
        ConversationActivity.reopen(&quiet, facts: ThreadFacts(lastDirection: .inbound, latestBusinessMessageAutomated: false, hasUndismissedFailure: false))
        #expect(quiet.status == .open)
        #expect(!quiet.awaitingReply && !quiet.automated && !quiet.sendFailed)
    }

    @Test func refreshSendFailedOnlyWhileOpen() {
        var open = Fixture.conversation()
        ConversationActivity.refreshSendFailed(&open, hasUndismissedFailure: true)
        #expect(open.sendFailed)
        ConversationActivity.refreshSendFailed(&open, hasUndismissedFailure: false)
        #expect(!open.sendFailed)
        var finished = Fixture.conversation(status: .finished)
        ConversationActivity.refreshSendFailed(&finished, hasUndismissedFailure: true)
        #expect(!finished.sendFailed)
    }

    @Test func previewJoinsLinesTruncatesAndNamesAttachments() {
        #expect(ConversationActivity.preview(of: Fixture.message(direction: .inbound, text: "a\nb\r\nc")) == "a b c")
        let long = String(repeating: "x", count: 500)
        #expect(ConversationActivity.preview(of: Fixture.message(direction: .inbound, text: long)).count == ConversationActivity.previewLength)
        let image = Attachment(kind: .image, url: "https://x/y.png", name: nil, sizeBytes: nil)
        #expect(ConversationActivity.preview(of: Fixture.message(direction: .inbound, text: "", attachments: [image])) == "[image]")
        #expect(ConversationActivity.preview(of: Fixture.message(direction: .inbound, text: "see", attachments: [image])) == "see")
    }
}
