/// What a store reads from a conversation's messages when its flags must be derived afresh.
public struct ThreadFacts: Hashable, Sendable {
    /// Direction of the newest message.
    public var lastDirection: MessageDirection?
    /// Whether the newest outbound message was sent by an automation.
    public var latestBusinessMessageAutomated: Bool
    /// Whether an outbound message failed and was neither resent nor dismissed.
    public var hasUndismissedFailure: Bool

    public init(lastDirection: MessageDirection?, latestBusinessMessageAutomated: Bool, hasUndismissedFailure: Bool) {
        self.lastDirection = lastDirection
        self.latestBusinessMessageAutomated = latestBusinessMessageAutomated
        self.hasUndismissedFailure = hasUndismissedFailure
    }
}

/// The rules that keep a conversation's derived state current. Every store applies exactly
/// these, so SQLite and PostgreSQL agree on what "awaiting reply" or "automation" means.
public enum ConversationActivity {
    /// Longest preview kept on the conversation, in characters.
    public static let previewLength = 140

    /// A message was appended to the conversation.
    public static func apply(_ message: Message, to conversation: inout Conversation) {
        conversation.lastActivityAt = max(conversation.lastActivityAt, message.createdAt)
        conversation.lastMessagePreview = preview(of: message)
        switch message.direction {
        case .inbound:
            // A customer writing into a finished conversation reopens it (the store then
            // derives its other flags with `reopen`), and is waiting on us now.
            if conversation.status == .finished {
                conversation.status = .open
                conversation.unreadCount = 0
            }
            conversation.awaitingReply = false
            conversation.unreadCount += 1
        case .outbound:
            conversation.awaitingReply = conversation.status == .open
            conversation.automated = conversation.status == .open && message.automated
            if !message.automated {
                // An agent answering has read what came before.
                conversation.unreadCount = 0
            }
        }
    }

    /// The conversation was finished: nothing of it stays in the open-only statuses.
    public static func finish(_ conversation: inout Conversation) {
        conversation.status = .finished
        conversation.awaitingReply = false
        conversation.sendFailed = false
        conversation.automated = false
        conversation.unreadCount = 0
    }

    /// The conversation is open again (an agent reopened it, or the customer wrote): the
    /// open-only flags are derived afresh from its messages, since finishing cleared them.
    public static func reopen(_ conversation: inout Conversation, facts: ThreadFacts) {
        conversation.status = .open
        conversation.awaitingReply = facts.lastDirection == .outbound
        conversation.automated = facts.latestBusinessMessageAutomated
        conversation.sendFailed = facts.hasUndismissedFailure
    }

    /// `send failed` after a delivery status changed, given whether any outbound message of
    /// the conversation is still failed and not dismissed.
    public static func refreshSendFailed(_ conversation: inout Conversation, hasUndismissedFailure: Bool) {
        conversation.sendFailed = conversation.status == .open && hasUndismissedFailure
    }

    /// The preview line shown in lists: the text, or a placeholder naming the attachment.
    public static func preview(of message: Message) -> String {
        let text = message.text.split(whereSeparator: \.isNewline).joined(separator: " ")
        if text.isEmpty, let attachment = message.attachments.first {
            return "[\(attachment.kind.rawValue)]"
        }
        return String(text.prefix(previewLength))
    }
}
