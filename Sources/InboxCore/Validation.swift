/// Field rules shared by every entry point, so HTTP, WebSocket and stores reject the same things.
public enum Validation {
    public static let maxNameLength = 200
    public static let maxTextLength = 10_000
    public static let maxKeyLength = 200
    public static let maxAttachments = 20

    /// A trimmed, non-empty display name of bounded length.
    public static func name(_ value: String, field: String = "name") throws(InboxError) -> String {
        let trimmed = value.trimmingWhitespace
        guard !trimmed.isEmpty else { throw .invalidField(field: field, reason: "must not be empty") }
        guard trimmed.count <= maxNameLength else {
            throw .invalidField(field: field, reason: "at most \(maxNameLength) characters")
        }
        return trimmed
    }

    /// A lower-cased email with one `@` and something on both sides.
    public static func email(_ value: String) throws(InboxError) -> String {
        let email = value.trimmingWhitespace.lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), email.count <= maxNameLength,
              !email.contains(where: \.isWhitespace)
        else { throw .invalidField(field: "email", reason: "not an email address") }
        return email
    }

    /// An idempotency key or external id: non-empty, bounded, no control characters.
    public static func key(_ value: String, field: String) throws(InboxError) -> String {
        guard !value.isEmpty, value.count <= maxKeyLength,
              !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw .invalidField(field: field, reason: "1 to \(maxKeyLength) printable characters") }
        return value
    }

    /// A message body: text and/or attachments, bounded.
    public static func messageBody(text: String, attachments: [Attachment]) throws(InboxError) {
        guard text.count <= maxTextLength else {
            throw .invalidField(field: "text", reason: "at most \(maxTextLength) characters")
        }
        guard attachments.count <= maxAttachments else {
            throw .invalidField(field: "attachments", reason: "at most \(maxAttachments)")
        }
        guard !text.trimmingWhitespace.isEmpty || !attachments.isEmpty else {
            throw .invalidField(field: "text", reason: "a message needs text or an attachment")
        }
        for attachment in attachments where attachment.url.isEmpty || attachment.url.count > 2_000 {
            throw .invalidField(field: "attachments.url", reason: "1 to 2000 characters")
        }
    }

    /// A CSS hex colour (`#rgb` or `#rrggbb`).
    public static func color(_ value: String) throws(InboxError) -> String {
        let hex = value.dropFirst()
        guard value.first == "#", hex.count == 3 || hex.count == 6, hex.allSatisfy({ $0.isASCII && $0.isHexDigit }) else {
            throw .invalidField(field: "color", reason: "a colour like #1f9d55")
        }
        return value.lowercased()
    }
}

extension String {
    var trimmingWhitespace: String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
