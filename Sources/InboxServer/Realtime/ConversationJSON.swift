import InboxCore

/// The realtime list messages around conversations (``ConversationJSON`` in InboxCore): a
/// `snapshot` and a `page`, byte for byte what `WireJSON.encoder` writes for them.
extension ConversationJSON {
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
}
