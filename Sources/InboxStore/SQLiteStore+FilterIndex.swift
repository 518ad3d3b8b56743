import GRDB
import InboxCore
import Synchronization

/// Lists and counts through the in-memory filter index (``WorkspaceFilterIndex``), kept exact
/// against the database at each query.
///
/// The index stands at some sequence H of the workspace's change log; a query's read
/// transaction sees sequence S ≥ H. Inside that transaction the query reads which
/// conversations changed in (H, S] and their rows at S, and corrects the index's answer with
/// them: the count loses those that matched at H and gains those that match at S, and a page
/// chosen from the index is re-checked against the rows at S (taking `changed` extra
/// candidates, enough for any reordering those changes can cause). The same rows then bring the
/// index forward to S. So every answer is exact at S, however far behind the index is, and
/// the index follows the log without any hook on the write path (which also works when other
/// processes write the same database).
extension SQLiteStore {
    /// Extra candidates a sparse page takes from the index, for conversations that changed
    /// since the index's sequence; more changes than this fall back to the SQL page.
    static let pageSlack = 64
    /// Beyond this many log entries behind, the index is reloaded rather than caught up.
    static let maxCatchUp: Int64 = 50_000
    /// A filter matching at most one in this many conversations has its page chosen from the
    /// index; denser ones are found at once by walking an SQL index in list order.
    static let sparseRatio = 16

    /// What the index says about one query, at its sequence.
    struct IndexAnswer: Sendable {
        var entry: FilterIndexes.Entry
        var sequence: Int64
        var matches: SlotBitmap
        /// For a sparse filter: the first `limit + pageSlack` matches after the cursor, in order.
        var candidates: [ConversationID]?

        /// Whether the conversation matched at the index's sequence.
        func matched(_ id: ConversationID) -> Bool {
            entry.index.withLock { $0.slot(of: id) }.map(matches.contains) ?? false
        }

        /// The exact count once `changed` (the rows, now, of every conversation changed since
        /// the index's sequence) are accounted for.
        func total(correctedBy changed: [Conversation], filter: ConversationFilter, viewer: Viewer) -> Int {
            matches.count - changed.count(where: { matched($0.id) }) + changed.count(where: { filter.matches($0, viewer: viewer) })
        }
    }

    /// The index's answer for a filter (and its first page, when `pageSize` is given and the
    /// filter is sparse); `nil` when the store plans by SQL alone.
    func indexAnswer(_ filter: ConversationFilter, viewer: Viewer, after cursor: PageCursor?, pageSize: Int?) async throws -> IndexAnswer? {
        guard planning != .sqlOnly else { return nil }
        let entry = try await filterIndexes.entry(for: viewer.workspaceID) { [self] in
            try await loadFilterIndex(viewer.workspaceID)
        }
        return entry.index.withLock { index in
            let matches = index.matching(filter, viewer: viewer)
            var candidates: [ConversationID]?
            if let pageSize, planning == .filterIndex || matches.count * Self.sparseRatio <= index.conversationCount {
                candidates = index.first(pageSize + Self.pageSlack, of: matches, order: filter.order, after: cursor?.after)
            }
            return IndexAnswer(entry: entry, sequence: index.sequence, matches: matches, candidates: candidates)
        }
    }

    /// Loads every workspace's filter index now rather than on its first query (about 3 µs per
    /// conversation: seconds for a million), so the first agent after a start does not wait.
    public func warmFilterIndexes() async throws {
        guard planning != .sqlOnly else { return }
        for workspace in try await workspaces() {
            _ = try await filterIndexes.entry(for: workspace.id) { [self] in try await loadFilterIndex(workspace.id) }
        }
    }

    /// Reads a workspace's conversations into a new index, at the sequence they were read at.
    private func loadFilterIndex(_ workspace: WorkspaceID) async throws -> WorkspaceFilterIndex {
        try await read { db in
            let sequence = try Int64.fetchOne(db, sql: "SELECT last_sequence FROM workspaces WHERE id = ?", arguments: [workspace.rawValue]) ?? 0
            var index = WorkspaceFilterIndex(sequence: sequence)
            let rows = try Row.fetchCursor(
                db, sql: """
                SELECT id, assignee_id, connection_id, department_ids, tag_ids, stage_ids, status, awaiting_reply, send_failed,
                    automated, last_activity_at
                FROM conversations WHERE workspace_id = ?
                """,
                arguments: [workspace.rawValue])
            while let row = try rows.next() {
                index.upsert(ConversationFacts(
                    id: ConversationID(row[0]), assigneeID: (row[1] as Int64?).map(AgentID.init), connectionID: ConnectionID(row[2]),
                    departmentIDs: IDList.decode(row[3]), tagIDs: IDList.decode(row[4]), stageIDs: IDList.decode(row[5]),
                    isOpen: (row[6] as String) == "open", awaitingReply: (row[7] as Int64) != 0, sendFailed: (row[8] as Int64) != 0,
                    automated: (row[9] as Int64) != 0, lastActivityAt: Timestamp(milliseconds: row[10])))
            }
            return index
        }
    }

    /// The rows, as of this transaction, of every conversation of the workspace that changed
    /// after the answer's sequence up to `sequence`; `nil` without an answer, or when the change
    /// log no longer holds all of those entries (pruned) or they are too many to be worth it.
    func conversationsChanged(since answer: IndexAnswer?, in workspace: WorkspaceID, through sequence: Int64, _ db: Database) throws -> [Conversation]? {
        guard let base = answer?.sequence else { return nil }
        guard sequence > base else { return [] }
        guard sequence - base <= Self.maxCatchUp else { return nil }
        let ids = try Int64.fetchAll(
            db.cachedStatement(sql: "SELECT conversation_id FROM change_log WHERE workspace_id = ? AND sequence > ? AND sequence <= ?"),
            arguments: [workspace.rawValue, base, sequence])
        guard ids.count == sequence - base else { return nil }
        return try conversations(Array(Set(ids)).map(ConversationID.init), in: workspace, db)
    }

    /// The rows of the given conversations of the workspace, in no particular order.
    func conversations(_ ids: [ConversationID], in workspace: WorkspaceID, _ db: Database) throws -> [Conversation] {
        var result: [Conversation] = []
        result.reserveCapacity(ids.count)
        var start = 0
        while start < ids.count {
            let chunk = ids[start..<min(ids.count, start + 500)]
            start += chunk.count
            let sql = "SELECT \(Self.conversationColumns) FROM conversations c WHERE c.workspace_id = ? AND c.id IN (\(databaseQuestionMarks(count: chunk.count)))"
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: sql), arguments: StatementArguments([workspace.rawValue] + chunk.map(\.rawValue)))
            while let row = try rows.next() { result.append(Self.conversation(from: row)) }
        }
        return result
    }

    /// Brings the index forward with the rows a query read, or drops it when the log could not
    /// say what changed.
    func advance(_ answer: IndexAnswer?, to sequence: Int64, changed: [Conversation]?, workspace: WorkspaceID) {
        guard let answer else { return }
        guard let changed else { return filterIndexes.forget(workspace) }
        let facts = changed.map(ConversationFacts.init)
        answer.entry.index.withLock { $0.catchUp(from: answer.sequence, to: sequence, changed: facts) }
    }
}
