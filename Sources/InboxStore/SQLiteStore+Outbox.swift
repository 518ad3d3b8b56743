import Foundation
import GRDB
import InboxCore

/// The outbox: outbound messages waiting for their connection's adapter, resends and
/// dismissals of failures, and the traffic cop's record of inbound versions.
extension SQLiteStore {
    /// Throws a conflict when the caller saw another version than the current one.
    static func require(_ conversation: Conversation, at version: Int64?) throws {
        if let version, version != conversation.version {
            throw InboxError.conflict(reason: "version_changed")
        }
    }

    /// Remembers the conversation version an inbound message produced (the traffic cop's yardstick).
    func stampInbound(_ message: MessageID, version: Int64, _ db: Database) throws {
        try db.execute(sql: "UPDATE messages SET conversation_version = ? WHERE id = ?", arguments: [version, message.rawValue])
    }

    /// The version right after the customer's latest message, if any.
    func latestInboundVersion(_ conversation: ConversationID, _ db: Database) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: "SELECT conversation_version FROM messages WHERE conversation_id = ? AND direction = 'inbound' ORDER BY id DESC LIMIT 1",
            arguments: [conversation.rawValue])
    }

    /// Makes an outbound message due for its connection's adapter; with no adapter it stays
    /// pending until the gateway reports on it.
    func scheduleDelivery(_ message: MessageID, through connection: ConnectionID, at time: Timestamp, _ db: Database) throws {
        let settings = try outboundSettings(of: connection, db)
        guard settings.adapter != .none else { return }
        try db.execute(
            sql: "UPDATE messages SET next_attempt_at = ?, attempts = 0 WHERE id = ?", arguments: [time.milliseconds, message.rawValue])
    }

    func outboundSettings(of connection: ConnectionID, _ db: Database) throws -> OutboundSettings {
        let json = try String.fetchOne(db, sql: "SELECT outbound FROM connections WHERE id = ?", arguments: [connection.rawValue])
        return Self.decodeOutbound(json)
    }

    static func decodeOutbound(_ json: String?) -> OutboundSettings {
        guard let json, let settings = try? JSONDecoder().decode(OutboundSettings.self, from: Data(json.utf8)) else { return .noAdapter }
        return settings
    }

    public func resendMessage(_ id: MessageID, in workspace: WorkspaceID) async throws -> MessageResult {
        let time = now()
        return try await write { db in
            var message = try self.loadMessage(id, in: workspace, db)
            guard message.direction == .outbound, message.deliveryStatus == .failed else {
                throw InboxError.invalidField(field: "messageId", reason: "only a failed outbound message can be resent")
            }
            let connection = try Int64.fetchOne(db, sql: "SELECT connection_id FROM messages WHERE id = ?", arguments: [id.rawValue])!
            try db.execute(
                sql: "UPDATE messages SET delivery_status = 'pending', failure_reason = NULL, failure_dismissed = 0 WHERE id = ?",
                arguments: [id.rawValue])
            try self.scheduleDelivery(id, through: ConnectionID(connection), at: time, db)
            message.deliveryStatus = .pending
            message.failureReason = nil
            return try self.refreshFailureFlag(of: message, db)
        }
    }

    public func dismissFailure(_ id: MessageID, in workspace: WorkspaceID) async throws -> MessageResult {
        try await write { db in
            let message = try self.loadMessage(id, in: workspace, db)
            guard message.direction == .outbound, message.deliveryStatus == .failed else {
                throw InboxError.invalidField(field: "messageId", reason: "only a failed outbound message can be dismissed")
            }
            try db.execute(sql: "UPDATE messages SET failure_dismissed = 1 WHERE id = ?", arguments: [id.rawValue])
            return try self.refreshFailureFlag(of: message, db)
        }
    }

    /// Re-derives "send failed" after a message's failure state changed, logging the change.
    private func refreshFailureFlag(of message: Message, _ db: Database) throws -> MessageResult {
        let hasFailure = try hasUndismissedFailure(message.conversationID, db)
        let (conversation, change) = try mutate(message.conversationID, in: message.workspaceID, kind: .messageUpdated, messageID: message.id, db) {
            ConversationActivity.refreshSendFailed(&$0, hasUndismissedFailure: hasFailure)
        }
        return MessageResult(message: message, conversation: conversation, changes: [change], duplicate: false)
    }

    public func leaseDeliveries(dueBy time: Timestamp, leaseUntil: Timestamp, limit: Int) async throws -> [PendingDelivery] {
        try await write { db in
            let rows = try Row.fetchAll(
                db, sql: """
                UPDATE messages SET attempts = attempts + 1, next_attempt_at = ?
                WHERE id IN (SELECT id FROM messages WHERE delivery_status = 'pending' AND next_attempt_at IS NOT NULL
                             AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?)
                RETURNING *
                """, arguments: [leaseUntil.milliseconds, time.milliseconds, limit])
            return try rows.map { row in
                let message = try self.message(from: row)
                let connectionRow = try Row.fetchOne(db, sql: "SELECT * FROM connections WHERE id = ?", arguments: [row["connection_id"] as Int64])!
                let contact = try Row.fetchOne(
                    db, sql: """
                    SELECT c.name, h.handle FROM conversations v JOIN contacts c ON c.id = v.contact_id
                    LEFT JOIN contact_handles h ON h.contact_id = c.id AND h.connection_id = v.connection_id
                    WHERE v.id = ?
                    """, arguments: [message.conversationID.rawValue])
                return PendingDelivery(
                    message: message, connection: Self.connection(from: connectionRow), signingSecret: connectionRow["outbound_secret"],
                    recipient: contact?["handle"] ?? "", contactName: contact?["name"] ?? "", attempt: row["attempts"])
            }
        }
    }

    public func rescheduleDelivery(_ id: MessageID, in workspace: WorkspaceID, at time: Timestamp, ifAttempt attempt: Int?) async throws {
        try await write { db in
            try db.execute(
                sql: """
                UPDATE messages SET next_attempt_at = ? WHERE id = ? AND workspace_id = ? AND delivery_status = 'pending'
                    AND (? IS NULL OR attempts = ?)
                """,
                arguments: [time.milliseconds, id.rawValue, workspace.rawValue, attempt, attempt])
        }
    }
}
