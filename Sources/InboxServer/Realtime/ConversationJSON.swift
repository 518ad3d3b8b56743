import InboxCore

/// Hand-written JSON for the payloads the hub sends most: a conversation (every `change`
/// push and every item of a snapshot or page) and the snapshot and page messages around them.
/// Byte for byte what `WireJSON.encoder` writes for the same values (sorted keys, `Id`/`Ids`
/// keys, no escaped slashes, absent optionals left out), which a test holds it to; it only
/// skips `JSONEncoder`'s per-key work, most of the cost of a push.
enum ConversationJSON {
    static func encode(_ conversation: Conversation) -> String {
        var text = ""
        text.reserveCapacity(384 + conversation.contactName.utf8.count + conversation.lastMessagePreview.utf8.count)
        append(conversation, to: &text)
        return text
    }

    static func append(_ c: Conversation, to text: inout String) {
        text += "{"
        if let assignee = c.assigneeID { text += "\"assigneeId\":\(assignee.rawValue)," }
        text += "\"automated\":\(c.automated),\"awaitingReply\":\(c.awaitingReply),\"connectionId\":\(c.connectionID.rawValue)"
        text += ",\"contactId\":\(c.contactID.rawValue),\"contactName\":"
        appendString(c.contactName, to: &text)
        text += ",\"createdAt\":\(c.createdAt.milliseconds),\"departmentIds\":"
        appendIDs(c.departmentIDs, to: &text)
        text += ",\"id\":\(c.id.rawValue),\"lastActivityAt\":\(c.lastActivityAt.milliseconds),\"lastMessagePreview\":"
        appendString(c.lastMessagePreview, to: &text)
        text += ",\"sendFailed\":\(c.sendFailed),\"stageIds\":"
        appendIDs(c.stageIDs, to: &text)
        text += ",\"status\":\"\(c.status.rawValue)\",\"tagIds\":"
        appendIDs(c.tagIDs, to: &text)
        text += ",\"unreadCount\":\(c.unreadCount),\"version\":\(c.version),\"workspaceId\":\(c.workspaceID.rawValue)}"
    }

    /// A `snapshot` message.
    static func snapshot(id: String?, sub: String, items: [Conversation], total: Int, cursor: String?, seq: Int64) -> String {
        var text = list(cursor: cursor, id: id, items: items, seq: seq, sub: sub)
        text += ",\"total\":\(total),\"type\":\"snapshot\"}"
        return text
    }

    /// A `page` message.
    static func page(id: String, sub: String, items: [Conversation], cursor: String?, seq: Int64) -> String {
        var text = list(cursor: cursor, id: id, items: items, seq: seq, sub: sub)
        text += ",\"type\":\"page\"}"
        return text
    }

    /// The keys a snapshot and a page share, in sorted order, without the closing brace.
    private static func list(cursor: String?, id: String?, items: [Conversation], seq: Int64, sub: String) -> String {
        var text = "{"
        text.reserveCapacity(128 + items.count * 420)
        if let cursor {
            text += "\"cursor\":"
            appendString(cursor, to: &text)
            text += ","
        }
        if let id {
            text += "\"id\":"
            appendString(id, to: &text)
            text += ","
        }
        text += "\"items\":["
        for (index, item) in items.enumerated() {
            if index > 0 { text += "," }
            append(item, to: &text)
        }
        text += "],\"seq\":\(seq),\"sub\":"
        appendString(sub, to: &text)
        return text
    }

    private static func appendIDs<E>(_ ids: [Identifier<E>], to text: inout String) {
        text += "["
        for (index, id) in ids.enumerated() {
            if index > 0 { text += "," }
            text += String(id.rawValue)
        }
        text += "]"
    }

    /// A JSON string literal as Foundation writes it: quote, backslash and control characters
    /// escaped, everything else (slashes and non-ASCII included) as is.
    static func appendString(_ value: String, to text: inout String) {
        text += "\""
        let needsEscaping = value.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        guard needsEscaping else {
            text += value
            text += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
