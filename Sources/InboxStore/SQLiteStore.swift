import Foundation
import GRDB
import InboxCore

/// The embedded store: one SQLite file in WAL mode, through GRDB.
///
/// Writes are serialized by SQLite's single writer; reads run concurrently on a pool of reader
/// connections and never block on writes.
public final class SQLiteStore: InboxStore {
    /// How much a commit survives.
    public enum Durability: String, Sendable, CaseIterable {
        /// `synchronous = FULL`: a committed change survives power loss; one fsync per commit.
        case full
        /// `synchronous = NORMAL` (WAL): a committed change survives a crash of the process; the
        /// last commits before a power loss or OS crash may roll back, the file never corrupts.
        case normal
    }

    /// Where and how to open the database.
    public struct Configuration: Sendable {
        /// The database file; `nil` keeps everything in memory (tests).
        public var path: String?
        public var durability: Durability
        /// The clock stamped on every change; tests inject their own.
        public var now: @Sendable () -> Timestamp
        /// How lists and counts are answered; anything but `.automatic` is for tests and
        /// benchmarks that hold each way to the same results.
        public var planning: QueryPlanning

        public init(
            path: String?, durability: Durability = .normal, planning: QueryPlanning = .automatic,
            now: @escaping @Sendable () -> Timestamp = Timestamp.now
        ) {
            self.path = path
            self.durability = durability
            self.planning = planning
            self.now = now
        }
    }

    /// Where list pages and exact counts come from.
    public enum QueryPlanning: String, Sendable, CaseIterable {
        /// Counts from the in-memory filter index; pages from the index when the filter is
        /// sparse, from SQL indexes in list order otherwise.
        case automatic
        /// Counts and every page from the filter index (pages re-read from SQL by id).
        case filterIndex
        /// Counts and pages by SQL alone, no filter index.
        case sqlOnly
    }

    let writer: any DatabaseWriter
    let now: @Sendable () -> Timestamp
    let commitObservers = CommitObservers()
    let filterIndexes = FilterIndexes()
    let planning: QueryPlanning
    let encoder = JSONEncoder()
    let decoder = JSONDecoder()

    /// Opens (creating if needed) and migrates the database.
    public init(_ configuration: Configuration) throws {
        var config = GRDB.Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        if let path = configuration.path {
            let pool = try DatabasePool(path: path, configuration: config)
            // DatabasePool sets synchronous = NORMAL after prepareDatabase, so the chosen
            // durability is applied on the writer connection afterwards.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(configuration.durability == .full ? "FULL" : "NORMAL")")
            }
            writer = pool
        } else {
            writer = try DatabaseQueue(configuration: config)
        }
        now = configuration.now
        planning = configuration.planning
        try SQLiteSchema.migrator.migrate(writer)
        try writer.writeWithoutTransaction { db in try Self.analyze(db) }
    }

    private static func analyze(_ db: Database) throws {
        try db.execute(sql: "PRAGMA analysis_limit = 1000")
        try db.execute(sql: "ANALYZE")
    }

    /// Refreshes the statistics SQLite's planner uses to pick an index (bounded sampling, so it
    /// takes milliseconds even on large databases). Run at open and periodically.
    public func refreshPlannerStatistics() async throws {
        try await writer.writeWithoutTransaction { db in try Self.analyze(db) }
    }

    /// The effective `PRAGMA synchronous` of the writer (0 off, 1 normal, 2 full).
    public func synchronousLevel() throws -> Int {
        try writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// The effective journal mode (`wal` for files).
    public func journalMode() throws -> String {
        try writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }
}


/// Who is told, after a transaction commits, that a workspace's change log grew.
final class CommitObservers: @unchecked Sendable {
    private let lock = NSLock()
    private var observers: [@Sendable (WorkspaceID) -> Void] = []

    func add(_ observer: @escaping @Sendable (WorkspaceID) -> Void) {
        lock.withLock { observers.append(observer) }
    }

    func notify(_ workspace: WorkspaceID) {
        for observer in lock.withLock({ observers }) { observer(workspace) }
    }
}

/// Sorted comma-separated id lists, the denormalized form of a conversation's sets.
enum IDList {
    static func encode<E>(_ ids: [Identifier<E>]) -> String {
        ids.map { String($0.rawValue) }.joined(separator: ",")
    }

    static func decode<E>(_ text: String) -> [Identifier<E>] {
        guard !text.isEmpty else { return [] }
        var ids: [Identifier<E>] = []
        var value: Int64 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ",") {
                ids.append(Identifier(value))
                value = 0
            } else {
                value = value &* 10 &+ Int64(byte &- UInt8(ascii: "0"))
            }
        }
        ids.append(Identifier(value))
        return ids
    }

    /// Sorted and without repeats, the canonical form stored everywhere.
    static func normalized<E>(_ ids: [Identifier<E>]) -> [Identifier<E>] {
        Array(Set(ids)).sorted()
    }
}
