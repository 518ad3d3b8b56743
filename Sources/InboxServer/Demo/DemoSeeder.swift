import InboxCore
import InboxStore

/// Fills an empty database with the demo workspace: agents with known logins, departments,
/// connections like the seed's, a sales pipeline, tags, and a few thousand contacts with
/// conversations in every status, spread over the past week.
public struct DemoSeeder<Store: InboxStore> {
    public static var workspaceSlug: String { "demo" }

    let store: Store
    let clock: DemoClock
    let hasher: PasswordHasher
    let conversationCount: Int

    public init(store: Store, clock: DemoClock, hasher: PasswordHasher, conversations: Int = 2_500) {
        self.store = store
        self.clock = clock
        self.hasher = hasher
        self.conversationCount = conversations
    }

    /// What the demo holds, for the start-up banner and for the live traffic.
    public struct Summary: Sendable {
        public var workspace: Workspace
        public var logins: [(email: String, role: Role)]
        public var password: String
        public var connections: [Connection]
        public var contactCount: Int
    }

    /// Seeds unless the demo workspace exists; either way returns what it holds.
    public func seedIfNeeded() async throws -> Summary {
        if let existing = try await store.workspace(slug: Self.workspaceSlug) {
            return try await summary(of: existing)
        }
        let workspace = try await store.createWorkspace(name: "Datacrazy (demo)", slug: Self.workspaceSlug)
        var random = SplitMix64(seed: 2026)
        let start = Timestamp.now().adding(milliseconds: -7 * 24 * 3_600_000)
        clock.set(start)
        defer { clock.set(nil) }

        var departments: [String: DepartmentID] = [:]
        for name in DemoData.departments {
            departments[name] = try await store.createDepartment(name: name, in: workspace.id).id
        }
        let passwordHash = try await hasher.hash(DemoData.password)
        var agents: [Agent] = []
        for seed in DemoData.agents {
            agents.append(try await store.createAgent(
                AgentDraft(
                    name: seed.name, email: seed.email, passwordHash: passwordHash, role: Role(rawValue: seed.role) ?? .agent,
                    departmentIDs: seed.departments.compactMap { departments[$0] }),
                in: workspace.id))
        }
        var connections: [Connection] = []
        for (kind, name) in DemoData.connections {
            connections.append(try await store.createConnection(
                kind: ConnectionKind(rawValue: kind) ?? .api, name: name, secretHash: Secrets.hash(Secrets.generate()), in: workspace.id))
        }
        var tags: [TagID] = []
        for (name, color) in DemoData.tags {
            tags.append(try await store.createTag(name: name, color: color, in: workspace.id).id)
        }
        let stages = try await store.createPipeline(name: DemoData.pipeline, stageNames: DemoData.stages, in: workspace.id).stages.map(\.id)

        let history = DemoHistory(
            store: store, clock: clock, workspace: workspace.id, agents: agents, connections: connections,
            departments: Array(departments.values).sorted(), tags: tags, stages: stages)
        for index in 0..<conversationCount {
            // Each conversation starts somewhere in the past week, older ones first.
            let offset = Int64(index) * (7 * 24 * 3_600_000 - 3_600_000) / Int64(conversationCount)
            try await history.play(contact: index, startingAt: start.adding(milliseconds: offset), random: &random)
        }
        try await prepareActions(workspace.id, connections: connections, departments: departments, tags: tags)
        return try await summary(of: workspace)
    }

    /// Outbound through the sandbox (sent, delivered, a few failures to resend) and automations
    /// of every trigger, set after the history so that old messages are not delivered again.
    private func prepareActions(_ workspace: WorkspaceID, connections: [Connection], departments: [String: DepartmentID], tags: [TagID]) async throws {
        for connection in connections {
            _ = try await store.updateConnection(
                connection.id, in: workspace, with: ConnectionPatch(outbound: OutboundSettings(adapter: .sandbox, failureRate: 0.03, delayMs: 800)))
        }
        for draft in DemoData.automations(departments: departments, tags: tags) {
            _ = try await store.createAutomation(draft, in: workspace)
        }
    }

    private func summary(of workspace: Workspace) async throws -> Summary {
        let agents = try await store.agents(in: workspace.id)
        return Summary(
            workspace: workspace, logins: agents.map { ($0.email, $0.role) }, password: DemoData.password,
            connections: try await store.connections(in: workspace.id), contactCount: conversationCount)
    }
}

/// The deterministic identity of demo contact number `index`, shared by the seeder and the
/// live traffic so that traffic writes into existing conversations.
enum DemoContact {
    static func name(_ index: Int) -> String {
        let first = DemoData.firstNames[index % DemoData.firstNames.count]
        let last = DemoData.lastNames[(index / DemoData.firstNames.count) % DemoData.lastNames.count]
        return "\(first) \(last)"
    }

    /// Most customers write on the main WhatsApp, then Instagram, then the others.
    static func connectionIndex(_ index: Int, count: Int) -> Int {
        let bucket = (index * 7) % 10
        let preferred = bucket < 5 ? 0 : bucket < 7 ? 1 : bucket < 9 ? 2 : 3
        return min(preferred, count - 1)
    }

    static func handle(_ index: Int, kind: ConnectionKind) -> String {
        switch kind {
        case .instagram: return "@" + name(index).lowercased().replacingSpaces(with: ".") + "\(index)"
        default: return "+55 11 9\(String(8000_0000 + index))"
        }
    }
}

private extension String {
    func replacingSpaces(with replacement: String) -> String {
        split(separator: " ").joined(separator: replacement)
    }
}
