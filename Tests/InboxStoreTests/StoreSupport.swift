import Foundation
import InboxCore
import InboxStore

/// A clock tests move by hand. Starts at a fixed instant so runs are reproducible.
/// (An `NSLock` rather than `Synchronization.Mutex`, which needs macOS 15.)
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var millis: Int64

    init(start: Int64 = 1_700_000_000_000) { millis = start }

    var now: Timestamp { lock.withLock { Timestamp(milliseconds: millis) } }

    func advance(by delta: Int64 = 1_000) {
        lock.withLock { millis += delta }
    }

    /// A `now` closure for `SQLiteStore.Configuration`.
    var closure: @Sendable () -> Timestamp { { self.now } }
}

/// The two ways the contract tests open a store: an in-memory queue and a file pool.
enum StoreKind: String, CaseIterable, Sendable {
    case memory, file
}

/// A store plus whatever it needs on disk; the temporary directory goes away with it.
final class TestDatabase: @unchecked Sendable {
    private var storage: SQLiteStore?
    let clock: TestClock
    let directory: URL?

    /// Valid for the wrapper's whole life.
    var store: SQLiteStore { storage! }

    init(
        _ kind: StoreKind, clock: TestClock = TestClock(), durability: SQLiteStore.Durability = .normal,
        planning: SQLiteStore.QueryPlanning = .automatic
    ) throws {
        self.clock = clock
        switch kind {
        case .memory:
            directory = nil
            storage = try SQLiteStore(.init(path: nil, durability: durability, planning: planning, now: clock.closure))
        case .file:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-tests-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            self.directory = directory
            storage = try SQLiteStore(.init(
                path: directory.appendingPathComponent("inbox.sqlite").path, durability: durability, planning: planning, now: clock.closure))
        }
    }

    deinit {
        guard let directory, var store = storage else { return }
        storage = nil
        // Tests keep `db` alive for their whole body; should one keep only the store, its files
        // must outlive this wrapper, so removal then waits until the store is gone too.
        if isKnownUniquelyReferenced(&store) {
            try? FileManager.default.removeItem(at: directory)
        } else {
            let weak = WeakStore(store)
            Task.detached {
                while weak.store != nil { try? await Task.sleep(for: .milliseconds(50)) }
                try? FileManager.default.removeItem(at: directory)
            }
        }
    }
}

private final class WeakStore: @unchecked Sendable {
    weak var store: SQLiteStore?
    init(_ store: SQLiteStore) { self.store = store }
}

/// Short ways to build the entities most tests need.
extension SQLiteStore {
    func makeWorkspace(_ slug: String) async throws -> Workspace {
        try await createWorkspace(name: "Workspace \(slug)", slug: slug)
    }

    func makeAgent(
        _ name: String, in workspace: WorkspaceID, role: Role = .agent, departments: [DepartmentID] = [], cap: Int? = nil
    ) async throws -> Agent {
        try await createAgent(
            AgentDraft(
                name: name, email: "\(name.lowercased())@example.com", passwordHash: "hash", role: role,
                departmentIDs: departments, maxOpenConversations: cap),
            in: workspace)
    }

    func makeConnection(_ name: String = "WhatsApp", in workspace: WorkspaceID) async throws -> Connection {
        try await createConnection(kind: .whatsapp, name: name, secretHash: "secret", in: workspace)
    }

    /// A customer message; `id` is the provider's message id.
    @discardableResult
    func inbound(
        _ id: String, from handle: String, on connection: ConnectionID, in workspace: WorkspaceID,
        text: String = "hello", sentAt: Timestamp? = nil
    ) async throws -> MessageResult {
        try await receiveInbound(
            InboundMessage(providerMessageID: id, handle: handle, contactName: "Customer \(handle)", text: text, sentAt: sentAt),
            on: connection, in: workspace)
    }

    @discardableResult
    func reply(
        _ conversation: ConversationID, in workspace: WorkspaceID, by author: OutboundAuthor, clientID: String? = nil, text: String = "reply"
    ) async throws -> MessageResult {
        try await sendOutbound(OutboundMessage(author: author, clientMessageID: clientID, text: text), to: conversation, in: workspace)
    }

    /// Every entry of the workspace's change log, oldest first.
    func allChanges(in workspace: WorkspaceID) async throws -> [ChangeLogEntry] {
        var result: [ChangeLogEntry] = []
        while true {
            let page = try await changes(in: workspace, after: result.last?.sequence ?? 0, limit: 100)
            if page.isEmpty { return result }
            result += page
        }
    }
}

extension AssignmentOutcome {
    /// The conversation after a successful change, or nil on conflict.
    var changed: Conversation? {
        if case .changed(let result) = self { return result.value }
        return nil
    }

    /// The conflict's reason and current conversation, or nil when the change applied.
    var conflict: (AssignmentConflict, Conversation)? {
        if case .conflict(let reason, let current) = self { return (reason, current) }
        return nil
    }
}
