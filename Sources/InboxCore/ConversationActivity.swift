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
            // A customer writing reopens a finished conversation and is waiting on us now.
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

    /// The conversation was reopened by an agent (not by an inbound message).
    public static func reopen(_ conversation: inout Conversation) {
        conversation.status = .open
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
