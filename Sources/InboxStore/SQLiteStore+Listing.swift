import Foundation
import GRDB
import InboxCore

extension SQLiteStore {
    /// Largest page a list request may ask for.
    public static let maxPageSize = 200

    public func listConversations(
        _ filter: ConversationFilter, viewer: Viewer, after cursor: PageCursor?, limit: Int, includeTotal: Bool
    ) async throws -> ConversationPage {
        try filter.validate()
        guard (1...Self.maxPageSize).contains(limit) else {
            throw InboxError.invalidField(field: "limit", reason: "1 to \(Self.maxPageSize)")
        }
        if let cursor, cursor.order != filter.order {
            throw InboxError.invalidField(field: "cursor", reason: "cursor was issued for the other order")
        }
        let query = ConversationFilterSQL(filter: filter, viewer: viewer, after: cursor)
        let sql = "SELECT \(Self.conversationColumns) \(query.fromClause) \(query.whereClause) \(query.orderClause(filter.order)) LIMIT ?"
        let arguments = Self.arguments(query.parameters + [.integer(Int64(limit + 1))])
        let workspace = viewer.workspaceID.rawValue
        let count = includeTotal ? Self.countQuery(filter, viewer: viewer) : nil
        let (rows, sequence, total) = try await read { db in
            // One read transaction: page, total and sequence describe the same moment.
            // Cached statements: a list query compiles once per shape, not once per request.
            let sequence = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT last_sequence FROM workspaces WHERE id = ?"), arguments: [workspace]) ?? 0
            // A cursor decodes each row in place, without copying it into a `Row` value first.
            let rows = try Array(Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments).map(Self.conversation(from:)))
            let total = try count.map { try Int.fetchOne(db.cachedStatement(sql: $0.sql), arguments: $0.arguments) ?? 0 }
            return (rows, sequence, total)
        }
        let items = Array(rows.prefix(limit))
        let next = rows.count > limit ? items.last.map { PageCursor(order: filter.order, after: $0.sortKey) } : nil
        return ConversationPage(items: items, nextCursor: next, sequence: sequence, total: total)
    }

    public func countConversations(_ filter: ConversationFilter, viewer: Viewer) async throws -> Int {
        try filter.validate()
        let count = Self.countQuery(filter, viewer: viewer)
        return try await read { db in try Int.fetchOne(db.cachedStatement(sql: count.sql), arguments: count.arguments) ?? 0 }
    }

    private static func countQuery(_ filter: ConversationFilter, viewer: Viewer) -> (sql: String, arguments: StatementArguments) {
        let query = ConversationFilterSQL(filter: filter, viewer: viewer)
        return ("SELECT COUNT(*) \(query.fromClause) \(query.whereClause)", arguments(query.parameters))
    }

    /// The query plan SQLite picks for a list page, for benchmarks and for checking indexes.
    public func explainList(_ filter: ConversationFilter, viewer: Viewer) async throws -> [String] {
        let query = ConversationFilterSQL(filter: filter, viewer: viewer)
        let sql = "EXPLAIN QUERY PLAN SELECT c.* \(query.fromClause) \(query.whereClause) \(query.orderClause(filter.order)) LIMIT 50"
        let arguments = Self.arguments(query.parameters)
        return try await read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).map { $0["detail"] as String } }
    }

    static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(values.map { value -> (any DatabaseValueConvertible) in
            switch value {
            case .integer(let number): number
            case .text(let text): text
            }
        })
    }

    // MARK: Change log

    public func latestSequence(in workspace: WorkspaceID) async throws -> Int64 {
        try await read { db in
            try self.requireWorkspace(workspace, db)
            return try Int64.fetchOne(db, sql: "SELECT last_sequence FROM workspaces WHERE id = ?", arguments: [workspace.rawValue]) ?? 0
        }
    }

    public func changes(in workspace: WorkspaceID, after sequence: Int64, limit: Int) async throws -> [ChangeLogEntry] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM change_log WHERE workspace_id = ? AND sequence > ? ORDER BY sequence LIMIT ?",
                arguments: [workspace.rawValue, sequence, max(1, limit)]
            ).map { row in
                ChangeLogEntry(
                    workspaceID: workspace, sequence: row["sequence"], kind: ChangeKind(rawValue: row["kind"]) ?? .messageAdded,
                    conversation: try self.decoder.decode(Conversation.self, from: Data((row["payload"] as String).utf8)),
                    previous: try (row["previous_payload"] as String?).map { try self.decoder.decode(Conversation.self, from: Data($0.utf8)) },
                    messageID: row.optionalID("message_id"), createdAt: row.timestamp("created_at"))
            }
        }
    }

    public func oldestSequence(in workspace: WorkspaceID) async throws -> Int64? {
        try await read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(sequence) FROM change_log WHERE workspace_id = ?", arguments: [workspace.rawValue])
        }
    }

    public func pruneChangeLog(olderThan cutoff: Timestamp, keepAtLeast: Int) async throws -> Int {
        try await write { db in
            try db.execute(
                sql: """
                DELETE FROM change_log WHERE created_at < ? AND sequence <= (
                    SELECT w.last_sequence - ? FROM workspaces w WHERE w.id = change_log.workspace_id)
                """,
                arguments: [cutoff.milliseconds, keepAtLeast])
            return db.changesCount
        }
    }
}
