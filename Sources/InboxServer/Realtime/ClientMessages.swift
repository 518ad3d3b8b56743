import HTTPTypes
import Foundation
import InboxCore

/// The filter as clients send it on the socket: every field optional, ids as arrays.
struct FilterBody: Codable, Equatable {
    var scope: ConversationScope?
    var statuses: [StatusFilter]?
    var connectionIDs: [ConnectionID]?
    var tagIDs: [TagID]?
    var stageIDs: [StageID]?
    var departmentIDs: [DepartmentID]?
    var order: ConversationOrder?

    var filter: ConversationFilter {
        ConversationFilter(
            scope: scope ?? .all, statuses: Set(statuses ?? []), connectionIDs: Set(connectionIDs ?? []),
            tagIDs: Set(tagIDs ?? []), stageIDs: Set(stageIDs ?? []), departmentIDs: Set(departmentIDs ?? []),
            order: order ?? .newest)
    }
}

/// The envelope every client message has.
struct ClientEnvelope: Decodable {
    var type: String
    var id: String?
}

/// `subscribe`: start (or atomically replace) a list subscription.
struct SubscribeMessage: Codable {
    var type: String
    var id: String
    var sub: String
    var filter: FilterBody?
    /// Items in the snapshot; 0 for a count-only subscription (tab badges).
    var pageSize: Int?
}

/// `more`: the next page of a subscription, after its cursor.
struct MoreMessage: Codable {
    var type: String
    var id: String
    var sub: String
    var cursor: String
}

/// `unsubscribe`.
struct UnsubscribeMessage: Codable {
    var type: String
    var id: String
    var sub: String
}

/// `resume`: after a reconnect, the last sequence seen and the subscriptions to restore.
struct ResumeMessage: Codable {
    struct Subscription: Codable {
        var sub: String
        var filter: FilterBody?
        var pageSize: Int?
    }
    var type: String
    var id: String
    var lastSeq: Int64
    var subscriptions: [Subscription]
}

/// `open_thread` / `close_thread`.
struct ThreadMessage: Codable {
    var type: String
    var id: String
    var conversationID: ConversationID
}

/// `typing`: the agent is typing in an open thread (send again every few seconds while typing).
struct TypingMessage: Codable {
    var type: String
    var conversationID: ConversationID
}

/// `presence`: the agent's availability for this connection.
struct PresenceMessage: Codable {
    var type: String
    var id: String?
    var status: PresenceStatus
}

/// `ping`: an application-level heartbeat, answered by `pong`.
struct PingMessage: Codable {
    var type: String
    var id: String?
}

/// Subscription names: short and plain, so they never need escaping on the wire.
enum SubscriptionName {
    static func validate(_ name: String) throws -> String {
        guard (1...64).contains(name.utf8.count),
              name.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E || $0 == 0x3A })
        else { throw APIError(.unprocessableContent, "invalid_field", "sub is 1 to 64 of A-Z a-z 0-9 - _ . :", field: "sub") }
        return name
    }
}
