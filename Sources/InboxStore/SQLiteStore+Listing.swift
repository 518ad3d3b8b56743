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
        let answer = try await indexAnswer(filter, viewer: viewer, after: cursor, pageSize: limit + 1)
        let query = ConversationFilterSQL(filter: filter, viewer: viewer, after: cursor)
        let sql = "SELECT \(Self.conversationColumns) \(query.fromClause) \(query.whereClause) \(query.orderClause(filter.order)) LIMIT ?"
        let arguments = Self.arguments(query.parameters + [.integer(Int64(limit + 1))])
        let workspace = viewer.workspaceID
        let fallbackCount = Self.countQuery(filter, viewer: viewer)
        let (rows, sequence, total, changed) = try await read { db in
            // One read transaction: page, total and sequence describe the same moment.
            let sequence = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT last_sequence FROM workspaces WHERE id = ?"), arguments: [workspace.rawValue]) ?? 0
            let changed = try self.conversationsChanged(since: answer, in: workspace, through: sequence, db)
            var rows: [Conversation]
            if let candidates = answer?.candidates, let changed, changed.count <= Self.pageSlack {
                rows = try self.page(from: candidates, changed: changed, filter: filter, viewer: viewer, after: cursor, limit: limit, db)
            } else {
                // Cached statements: a list query compiles once per shape, not once per request.
                // A cursor decodes each row in place, without copying it into a `Row` value first.
                rows = try Array(Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments).map(Self.conversation(from:)))
            }
            var total: Int?
            if includeTotal {
                if let answer, let changed {
                    total = answer.total(correctedBy: changed, filter: filter, viewer: viewer)
                } else {
                    total = try Int.fetchOne(db.cachedStatement(sql: fallbackCount.sql), arguments: fallbackCount.arguments) ?? 0
                }
            }
            return (rows, sequence, total, changed)
        }
        advance(answer, to: sequence, changed: changed, workspace: workspace)
        let items = Array(rows.prefix(limit))
        let next = rows.count > limit ? items.last.map { PageCursor(order: filter.order, after: $0.sortKey) } : nil
        return ConversationPage(items: items, nextCursor: next, sequence: sequence, total: total)
    }

    public func countConversations(_ filter: ConversationFilter, viewer: Viewer) async throws -> Int {
        try filter.validate()
        let answer = try await indexAnswer(filter, viewer: viewer, after: nil, pageSize: nil)
        let workspace = viewer.workspaceID
        let fallbackCount = Self.countQuery(filter, viewer: viewer)
        let (total, sequence, changed) = try await read { db in
            let sequence = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT last_sequence FROM workspaces WHERE id = ?"), arguments: [workspace.rawValue]) ?? 0
            guard let answer, let changed = try self.conversationsChanged(since: answer, in: workspace, through: sequence, db) else {
                return (try Int.fetchOne(db.cachedStatement(sql: fallbackCount.sql), arguments: fallbackCount.arguments) ?? 0, sequence, nil as [Conversation]?)
            }
            return (answer.total(correctedBy: changed, filter: filter, viewer: viewer), sequence, changed)
        }
        advance(answer, to: sequence, changed: changed, workspace: workspace)
        return total
    }

    /// A sparse filter's page: the index's candidates and the conversations changed since,
    /// read now and kept only if they still match and follow the cursor, in list order.
    private func page(
        from candidates: [ConversationID], changed: [Conversation], filter: ConversationFilter, viewer: Viewer,
        after cursor: PageCursor?, limit: Int, _ db: Database
    ) throws -> [Conversation] {
        let changedIDs = Set(changed.map(\.id))
        // The index's first `limit + 1 + changed` are enough: only a changed conversation can
        // have moved ahead of or out of them.
        let unchanged = candidates.prefix(limit + 1 + changed.count).filter { !changedIDs.contains($0) }
        let rows = try conversations(unchanged, in: viewer.workspaceID, db) + changed
        return Array(rows
            .filter { row in filter.matches(row, viewer: viewer) && cursor.map { $0.after.precedes(row.sortKey, in: filter.order) } ?? true }
            .sorted { $0.sortKey.precedes($1.sortKey, in: filter.order) }
            .prefix(limit + 1))
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
