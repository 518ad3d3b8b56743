import Foundation
import InboxCore

/// Messages the server sends. Replies echo the request's `id`.
enum ServerMessage {
    struct Hello: Encodable {
        var type = "hello"
        var protocolVersion = "switchboard.v1"
        var agent: Agent
        var seq: Int64
        /// Connected agents this agent may see (everyone else is offline).
        var presence: [PresencePayload]
        var heartbeatSeconds: Int
        var maxMessageBytes: Int
    }

    struct Thread: Encodable {
        var type = "thread"
        var id: String
        var conversation: Conversation
        /// Newest first.
        var messages: [Message]
        var viewers: [ViewerPayload]
    }

    struct ThreadChange: Encodable {
        var type = "thread_change"
        var seq: Int64
        var kind: String
        var conversation: Conversation
        var message: Message?
    }

    struct ThreadClosed: Encodable {
        var type = "thread_closed"
        var conversationID: ConversationID
        var reason: String
    }

    struct Viewers: Encodable {
        var type = "viewers"
        var conversationID: ConversationID
        var viewers: [ViewerPayload]
    }

    struct Presence: Encodable {
        var type = "presence"
        var agentID: AgentID
        var status: PresenceStatus
    }

    struct Snapshot: Encodable {
        var type = "snapshot"
        var id: String?
        var sub: String
        var items: [Conversation]
        var total: Int
        var cursor: String?
        var seq: Int64
    }

    struct Page: Encodable {
        var type = "page"
        var id: String
        var sub: String
        var items: [Conversation]
        var cursor: String?
        var seq: Int64
    }

    struct OK: Encodable {
        var type = "ok"
        var id: String
    }

    struct Resumed: Encodable {
        var type = "resumed"
        var id: String
        var seq: Int64
    }

    struct Resync: Encodable {
        var type = "resync"
        var id: String
        var reason: String
    }

    struct Pong: Encodable {
        var type = "pong"
        var id: String?
    }

    struct Failure: Encodable {
        var type = "error"
        var id: String?
        var code: String
        var message: String
        var field: String?
        var details: ErrorDetails?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
            try container.encodeIfPresent(id, forKey: .id)
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .message)
            try container.encodeIfPresent(field, forKey: .field)
            try details?.encode(to: encoder) // flattened, as in HTTP error bodies
        }

        enum CodingKeys: String, CodingKey { case type, id, code, message, field }
    }

    /// The answer to a command: the outcome; the state itself arrives on the stream (`change`,
    /// `thread_change`), in order, so an answer never shows an older version after a newer one.
    struct Result: Encodable {
        var type = "result"
        var id: String
        var conversationID: ConversationID?
        /// The conversation's version after the command.
        var version: Int64?
        /// The sequence of the change the command made; absent when it changed nothing.
        var seq: Int64?
        var messageID: MessageID?
        var duplicate: Bool?
        var run: ActionRun?
    }

    /// A bulk run's progress, to the sockets of the agent who started it.
    struct RunProgress: Encodable {
        var type = "run_progress"
        var run: ActionRun
    }

    /// A bulk run finished: its counts and every item's outcome.
    struct RunDone: Encodable {
        var type = "run_done"
        var run: ActionRun
    }

    static func encode(_ message: some Encodable) -> String {
        // Encoding our own value types cannot fail; an empty frame would only hide a bug.
        String(decoding: (try? WireJSON.encoder.encode(message)) ?? Data(), as: UTF8.self)
    }

    /// Several pushes in one message, in order: `{"type":"batch","frames":[...]}`.
    static func batch(_ frames: ArraySlice<String>) -> String {
        "{\"type\":\"batch\",\"frames\":[" + frames.joined(separator: ",") + "]}"
    }

    static func failure(_ error: APIError, id: String?) -> String {
        encode(Failure(id: id, code: error.code, message: error.message, field: error.field, details: error.details))
    }
}

struct PresencePayload: Codable, Equatable {
    var agentID: AgentID
    var status: PresenceStatus
}

/// One list's part of a `change` push.
struct ListUpdate {
    var sub: String
    /// `upsert`, `remove` or `count`.
    var op: String
    var reason: RemovalReasonText?
    var total: Int

    typealias RemovalReasonText = String

    /// `{"sub":..,"op":..,"reason":..,"total":..}`; subscription names need no escaping.
    var json: String {
        var text = "{\"sub\":\"\(sub)\",\"op\":\"\(op)\""
        if let reason { text += ",\"reason\":\"\(reason)\"" }
        return text + ",\"total\":\(total)}"
    }
}

/// A `change` push: the conversation (encoded once per change, the same bytes for every
/// recipient) and, per connection, what it means for each of that connection's lists.
enum ChangeFrame {
    static func make(sequence: Int64, conversationJSON: String?, conversationID: ConversationID, version: Int64, lists: [ListUpdate]) -> String {
        var text = "{\"type\":\"change\",\"seq\":\(sequence),\"conversationId\":\(conversationID.rawValue),\"version\":\(version)"
        if let conversationJSON { text += ",\"conversation\":" + conversationJSON }
        text += ",\"lists\":[" + lists.map(\.json).joined(separator: ",") + "]}"
        return text
    }
}
