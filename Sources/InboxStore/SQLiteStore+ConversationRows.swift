import Foundation
import GRDB
import InboxCore

/// Reading and writing conversation rows, messages and change-log entries. Every conversation
/// change funnels through ``SQLiteStore/mutate(_:in:kind:messageID:_:_:)`` or the assignment
/// compare-and-set, both of which bump the version and append to the change log in the same
/// transaction.
extension SQLiteStore {
    /// The columns ``conversation(from:)`` reads, by position: a list page decodes thousands of
    /// values, and positional access skips GRDB's per-access column-name lookup.
    static let conversationColumns = """
        c.id, c.workspace_id, c.contact_id, c.contact_name, c.connection_id, c.assignee_id, c.department_ids, c.tag_ids,
        c.stage_ids, c.status, c.awaiting_reply, c.send_failed, c.automated, c.unread_count, c.last_message_preview,
        c.last_activity_at, c.created_at, c.version
        """

    static func conversation(from row: Row) -> Conversation {
        Conversation(
            id: ConversationID(row[0]), workspaceID: WorkspaceID(row[1]), contactID: ContactID(row[2]),
            contactName: row[3], connectionID: ConnectionID(row[4]), assigneeID: (row[5] as Int64?).map(AgentID.init),
            departmentIDs: IDList.decode(row[6]), tagIDs: IDList.decode(row[7]), stageIDs: IDList.decode(row[8]),
            status: (row[9] as String) == "finished" ? .finished : .open,
            awaitingReply: (row[10] as Int64) != 0, sendFailed: (row[11] as Int64) != 0, automated: (row[12] as Int64) != 0,
            unreadCount: row[13], lastMessagePreview: row[14], lastActivityAt: Timestamp(milliseconds: row[15]),
            createdAt: Timestamp(milliseconds: row[16]), version: row[17])
    }

    func loadConversation(_ id: ConversationID, in workspace: WorkspaceID, _ db: Database) throws -> Conversation {
        let row = try db.fetchOneCached(
            sql: "SELECT \(Self.conversationColumns) FROM conversations c WHERE c.id = ? AND c.workspace_id = ?",
            arguments: [id.rawValue, workspace.rawValue])
        guard let row else { throw InboxError.notFound(entity: "conversation") }
        return Self.conversation(from: row)
    }

    /// Inserts a new conversation (its `id` is ignored) and returns it with its id.
    func insertConversation(_ conversation: Conversation, _ db: Database) throws -> Conversation {
        try db.execute(
            sql: """
            INSERT INTO conversations (workspace_id, contact_id, contact_name, connection_id, assignee_id, department_ids,
                tag_ids, stage_ids, status, awaiting_reply, send_failed, automated, unread_count, last_message_preview,
                last_activity_at, created_at, version)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            arguments: [
                conversation.workspaceID.rawValue, conversation.contactID.rawValue, conversation.contactName,
                conversation.connectionID.rawValue, conversation.assigneeID?.rawValue, IDList.encode(conversation.departmentIDs),
                IDList.encode(conversation.tagIDs), IDList.encode(conversation.stageIDs), conversation.status.rawValue,
                conversation.awaitingReply, conversation.sendFailed, conversation.automated, conversation.unreadCount,
                conversation.lastMessagePreview, conversation.lastActivityAt.milliseconds, conversation.createdAt.milliseconds,
                conversation.version,
            ])
        var inserted = conversation
        inserted.id = ConversationID(db.lastInsertedRowID)
        try syncMemberships(of: inserted, previous: nil, db)
        return inserted
    }

    /// Writes every mutable column of `conversation` as given (version included).
    func saveConversation(_ conversation: Conversation, previous: Conversation, _ db: Database) throws {
        try db.executeCached(
            sql: """
            UPDATE conversations SET contact_name = ?, assignee_id = ?, department_ids = ?, tag_ids = ?, stage_ids = ?,
                status = ?, awaiting_reply = ?, send_failed = ?, automated = ?, unread_count = ?,
                last_message_preview = ?, last_activity_at = ?, version = ?
            WHERE id = ?
            """,
            arguments: [
                conversation.contactName, conversation.assigneeID?.rawValue, IDList.encode(conversation.departmentIDs),
                IDList.encode(conversation.tagIDs), IDList.encode(conversation.stageIDs), conversation.status.rawValue,
                conversation.awaitingReply, conversation.sendFailed, conversation.automated, conversation.unreadCount,
                conversation.lastMessagePreview, conversation.lastActivityAt.milliseconds, conversation.version,
                conversation.id.rawValue,
            ])
        try syncMemberships(of: conversation, previous: previous, db)
    }

    /// Keeps the membership tables equal to the conversation's id lists and order key.
    private func syncMemberships(of conversation: Conversation, previous: Conversation?, _ db: Database) throws {
        let id = conversation.id.rawValue
        let activity = conversation.lastActivityAt.milliseconds
        func sync<E>(_ table: String, _ column: String, _ ids: [Identifier<E>], _ old: [Identifier<E>]?) throws {
            if ids == old {
                if !ids.isEmpty, previous?.lastActivityAt != conversation.lastActivityAt {
                    try db.executeCached(sql: "UPDATE \(table) SET last_activity_at = ? WHERE conversation_id = ?", arguments: [activity, id])
                }
                return
            }
            if old != nil {
                try db.executeCached(sql: "DELETE FROM \(table) WHERE conversation_id = ?", arguments: [id])
            }
            for member in ids {
                try db.executeCached(
                    sql: "INSERT INTO \(table) (conversation_id, \(column), last_activity_at) VALUES (?, ?, ?)",
                    arguments: [id, member.rawValue, activity])
            }
        }
        try sync("conversation_tags", "tag_id", conversation.tagIDs, previous?.tagIDs)
        try sync("conversation_departments", "department_id", conversation.departmentIDs, previous?.departmentIDs)
        try sync("conversation_stages", "stage_id", conversation.stageIDs, previous?.stageIDs)
    }

    /// Loads a conversation, lets `body` change it, bumps its version, saves it and logs the change.
    func mutate(
        _ id: ConversationID, in workspace: WorkspaceID, kind: ChangeKind, messageID: MessageID? = nil,
        _ db: Database, _ body: (inout Conversation) throws -> Void
    ) throws -> (Conversation, ChangeLogEntry) {
        let previous = try loadConversation(id, in: workspace, db)
        var conversation = previous
        try body(&conversation)
        conversation.version = previous.version + 1
        try saveConversation(conversation, previous: previous, db)
        return (conversation, try appendChange(kind, conversation, previous: previous, messageID: messageID, db))
    }

    /// Takes the workspace's next sequence number and records the change under it.
    func appendChange(
        _ kind: ChangeKind, _ conversation: Conversation, previous: Conversation?, messageID: MessageID?, _ db: Database
    ) throws -> ChangeLogEntry {
        let sequence = try db.fetchOneCached(
            Int64.self, sql: "UPDATE workspaces SET last_sequence = last_sequence + 1 WHERE id = ? RETURNING last_sequence",
            arguments: [conversation.workspaceID.rawValue])!
        let entry = ChangeLogEntry(
            workspaceID: conversation.workspaceID, sequence: sequence, kind: kind, conversation: conversation,
            previous: previous, messageID: messageID, createdAt: now())
        // What `decoder` reads back as a Conversation, written by hand: JSONEncoder was a third
        // of a claim's cost.
        let payload = ConversationJSON.encode(conversation, keys: .swift)
        let previousPayload = previous.map { ConversationJSON.encode($0, keys: .swift) }
        try db.executeCached(
            sql: """
            INSERT INTO change_log (workspace_id, sequence, kind, conversation_id, message_id, payload, previous_payload, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            arguments: [conversation.workspaceID.rawValue, sequence, kind.rawValue, conversation.id.rawValue,
                        messageID?.rawValue, payload, previousPayload, entry.createdAt.milliseconds])
        notifyAfterCommit(conversation.workspaceID, db)
        return entry
    }

    func message(from row: Row) throws -> Message {
        Message(
            id: row.id("id"), workspaceID: row.id("workspace_id"), conversationID: row.id("conversation_id"),
            direction: MessageDirection(rawValue: row["direction"]) ?? .inbound, authorAgentID: row.optionalID("author_agent_id"),
            authorName: row["author_name"], text: row["text"],
            attachments: try decoder.decode([Attachment].self, from: Data((row["attachments"] as String).utf8)),
            deliveryStatus: DeliveryStatus(rawValue: row["delivery_status"]) ?? .pending, failureReason: row["failure_reason"],
            automated: row.bool("automated"), clientMessageID: row["client_message_id"],
            providerMessageID: row["provider_message_id"], createdAt: row.timestamp("created_at"))
    }

    func loadMessage(_ id: MessageID, in workspace: WorkspaceID, _ db: Database) throws -> Message {
        let row = try Row.fetchOne(db, sql: "SELECT * FROM messages WHERE id = ? AND workspace_id = ?", arguments: [id.rawValue, workspace.rawValue])
        guard let row else { throw InboxError.notFound(entity: "message") }
        return try message(from: row)
    }

    /// Inserts a message (its `id` is ignored) sent over `connection` and returns it with its id.
    func insertMessage(_ message: Message, connection: ConnectionID, _ db: Database) throws -> Message {
        try db.execute(
            sql: """
            INSERT INTO messages (workspace_id, conversation_id, connection_id, direction, author_agent_id, author_name, text,
                attachments, delivery_status, failure_reason, automated, client_message_id, provider_message_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            arguments: [
                message.workspaceID.rawValue, message.conversationID.rawValue, connection.rawValue, message.direction.rawValue,
                message.authorAgentID?.rawValue, message.authorName, message.text,
                String(decoding: try encoder.encode(message.attachments), as: UTF8.self), message.deliveryStatus.rawValue,
                message.failureReason, message.automated, message.clientMessageID, message.providerMessageID,
                message.createdAt.milliseconds,
            ])
        var inserted = message
        inserted.id = MessageID(db.lastInsertedRowID)
        return inserted
    }
}
