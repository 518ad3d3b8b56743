import InboxCore

/// The `hello` message by hand: every connect sends one, and its presence list (one entry per
/// connected agent the newcomer may see) was most of the cost of a connect through
/// `JSONEncoder`. Byte for byte `ServerMessage.encode(ServerMessage.Hello(...))`, which a test
/// holds it to.
enum HelloJSON {
    static func encode(_ hello: ServerMessage.Hello) -> String {
        var text = "{\"agent\":" + ServerMessage.encode(hello.agent)
        text += ",\"heartbeatSeconds\":\(hello.heartbeatSeconds),\"maxMessageBytes\":\(hello.maxMessageBytes),\"presence\":["
        text.reserveCapacity(text.utf8.count + hello.presence.count * 40 + 64)
        for (index, entry) in hello.presence.enumerated() {
            if index > 0 { text += "," }
            text += "{\"agentId\":\(entry.agentID.rawValue),\"status\":"
            ConversationJSON.appendString(entry.status.rawValue, to: &text)
            text += "}"
        }
        text += "],\"protocolVersion\":"
        ConversationJSON.appendString(hello.protocolVersion, to: &text)
        text += ",\"seq\":\(hello.seq),\"type\":\"hello\"}"
        return text
    }
}
