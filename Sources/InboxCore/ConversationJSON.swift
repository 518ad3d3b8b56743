/// Hand-written JSON for a conversation: what every `change` push, every list item and every
/// change-log row carries. Byte for byte what `JSONEncoder` with sorted keys and unescaped
/// slashes writes for the same value in the chosen key style (absent optionals left out),
/// which tests hold it to; it only skips `JSONEncoder`'s per-key work, most of the cost of a
/// push and a third of a store write.
public enum ConversationJSON {
    /// How identifier keys are spelled: the wire's `assigneeId` (protocol.md) or the Swift
    /// names' `assigneeID` that `Conversation`'s own `Codable` reads (the store's change log).
    public enum Keys: Sendable {
        case wire, swift

        /// The keys that differ between the styles, quoted and with their colon.
        fileprivate var names: KeyNames { self == .wire ? .wire : .swift }
    }

    fileprivate struct KeyNames {
        let assignee, connection, contact, departments, stages, tags, workspace: String

        static let wire = KeyNames(id: "Id", ids: "Ids")
        static let swift = KeyNames(id: "ID", ids: "IDs")

        init(id: String, ids: String) {
            assignee = "\"assignee\(id)\":"
            connection = ",\"connection\(id)\":"
            contact = ",\"contact\(id)\":"
            departments = ",\"department\(ids)\":"
            stages = ",\"stage\(ids)\":"
            tags = ",\"tag\(ids)\":"
            workspace = ",\"workspace\(id)\":"
        }
    }

    public static func encode(_ conversation: Conversation, keys: Keys = .wire) -> String {
        var text = ""
        text.reserveCapacity(384 + conversation.contactName.utf8.count + conversation.lastMessagePreview.utf8.count)
        append(conversation, keys: keys, to: &text)
        return text
    }

    /// Keys in sorted order (of the wire spelling; a decoder does not care about order).
    public static func append(_ c: Conversation, keys: Keys = .wire, to text: inout String) {
        let names = keys.names
        text += "{"
        if let assignee = c.assigneeID { text += names.assignee + "\(assignee.rawValue)," }
        text += "\"automated\":\(c.automated),\"awaitingReply\":\(c.awaitingReply)"
        text += names.connection + "\(c.connectionID.rawValue)"
        text += names.contact + "\(c.contactID.rawValue),\"contactName\":"
        appendString(c.contactName, to: &text)
        text += ",\"createdAt\":\(c.createdAt.milliseconds)" + names.departments
        appendIDs(c.departmentIDs, to: &text)
        text += ",\"id\":\(c.id.rawValue),\"lastActivityAt\":\(c.lastActivityAt.milliseconds),\"lastMessagePreview\":"
        appendString(c.lastMessagePreview, to: &text)
        text += ",\"sendFailed\":\(c.sendFailed)" + names.stages
        appendIDs(c.stageIDs, to: &text)
        text += ",\"status\":\"\(c.status.rawValue)\"" + names.tags
        appendIDs(c.tagIDs, to: &text)
        text += ",\"unreadCount\":\(c.unreadCount),\"version\":\(c.version)" + names.workspace + "\(c.workspaceID.rawValue)}"
    }

    public static func appendIDs<E>(_ ids: [Identifier<E>], to text: inout String) {
        text += "["
        for (index, id) in ids.enumerated() {
            if index > 0 { text += "," }
            text += String(id.rawValue)
        }
        text += "]"
    }

    /// A JSON string literal as Foundation writes it: quote, backslash and control characters
    /// escaped, everything else (slashes and non-ASCII included) as is.
    public static func appendString(_ value: String, to text: inout String) {
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
