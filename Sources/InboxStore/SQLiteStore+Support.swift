import GRDB
import InboxCore

extension SQLiteStore {
    /// Throws `invalidReference(field)` unless every id names a row of `table` in the workspace.
    func requireExisting<E>(_ ids: [Identifier<E>], in table: String, workspace: WorkspaceID, field: String, _ db: Database) throws {
        let unique = Set(ids)
        guard !unique.isEmpty else { return }
        let placeholders = databaseQuestionMarks(count: unique.count)
        let found = try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM \(table) WHERE workspace_id = ? AND id IN (\(placeholders))",
            arguments: StatementArguments([workspace.rawValue] + unique.map(\.rawValue))
        ) ?? 0
        if found != unique.count { throw InboxError.invalidReference(field: field) }
    }

    /// Throws `notFound(entity)` unless the row exists in the workspace.
    func requireRow(_ table: String, id: Int64, workspace: WorkspaceID, entity: String, _ db: Database) throws {
        let exists = try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM \(table) WHERE id = ? AND workspace_id = ?)",
            arguments: [id, workspace.rawValue]
        ) ?? false
        if !exists { throw InboxError.notFound(entity: entity) }
    }

    /// Runs a write, turning a unique-constraint violation into `alreadyExists(field)`.
    func write<T: Sendable>(uniqueField: String = "name", _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.write(body)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
            || error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw InboxError.alreadyExists(field: uniqueField)
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.read(body)
    }
}

extension Row {
    func bool(_ column: String) -> Bool { (self[column] as Int64) != 0 }
    func timestamp(_ column: String) -> Timestamp { Timestamp(milliseconds: self[column]) }
    func id<E>(_ column: String) -> Identifier<E> { Identifier(self[column] as Int64) }
    func optionalID<E>(_ column: String) -> Identifier<E>? { (self[column] as Int64?).map(Identifier<E>.init) }
}

extension SQLiteStore {
    func requireWorkspace(_ workspace: WorkspaceID, _ db: Database) throws {
        let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM workspaces WHERE id = ?)", arguments: [workspace.rawValue]) ?? false
        if !exists { throw InboxError.notFound(entity: "workspace") }
    }
}

extension SQLiteStore {
    /// Calls `observer` after every commit that appended to a workspace's change log (possibly
    /// once per appended entry). The observer must be quick: it runs on the writer's thread.
    public func observeCommits(_ observer: @escaping @Sendable (WorkspaceID) -> Void) {
        commitObservers.add(observer)
    }

    func notifyAfterCommit(_ workspace: WorkspaceID, _ db: Database) {
        let observers = commitObservers
        db.afterNextTransaction { _ in observers.notify(workspace) }
    }
}

/// Statements run on every change or lookup go through the connection's statement cache:
/// compiling one (SQLite's parser plus GRDB's authorizer, which records what it touches) cost
/// more than running it, and a claim ran seven of them. Only for SQL with a bounded number of
/// variants; a statement is not reentrant, so not for SQL run again while its cursor is open.
extension Database {
    func executeCached(sql: String, arguments: StatementArguments = []) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }

    func fetchOneCached(sql: String, arguments: StatementArguments = []) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    func fetchOneCached<Value: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: Value.Type, sql: String, arguments: StatementArguments = []
    ) throws -> Value? {
        try Value.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }
}
