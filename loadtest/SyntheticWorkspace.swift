import Foundation
import InboxCore
import InboxStore

/// The shape of one synthetic conversation: which connection, lead tag, department and deal
/// stage, how it was handled, whether it is finished. Both synthetic workspaces draw it, so the
/// store-queries benchmark (through the store's operations) and `loadtest seed --direct`
/// (straight into the SQLite file) hold the same mix: a third of the leads with one tag, 70 %
/// in one department, 60 % with a deal; 65 % assigned (45 % answered by their agent, 4 % of
/// those answers failed), 7 % answered by an automation only, 28 % untouched; 30 % finished.
struct SyntheticMix {
    enum Handling: Equatable {
        /// Nobody took it: the customer's message is unread, unassigned.
        case untouched
        /// Assigned to an agent chosen by `ownerRoll`, who may have answered.
        case assigned(ownerRoll: UInt64, reply: Reply)
        /// Left to an automation's answer, unassigned.
        case automated
    }

    enum Reply: Equatable { case none, sent, failed }

    /// Indexes into the workspace's connections, tags, departments and stages.
    var connection: Int
    var tag: Int?
    var department: Int?
    var stage: Int?
    /// Milliseconds added to the first message's time (0..<500).
    var jitter: Int64
    var handling: Handling
    var finished: Bool

    /// Draws the next conversation. The draws are always made in the same order, whatever the
    /// counts (an empty set draws and picks nothing), so a seed replays the same workspace.
    static func draw(_ random: inout SplitMix64, connections: Int, tags: Int, departments: Int, stages: Int) -> SyntheticMix {
        func index(_ count: Int) -> Int? {
            let roll = random.next()
            return count > 0 ? Int(roll % UInt64(count)) : nil
        }
        let connection = index(connections) ?? 0
        let tag = random.next() % 3 == 0 ? index(tags) : nil
        let department = random.next() % 10 < 7 ? index(departments) : nil
        let stage = random.next() % 10 < 6 ? index(stages) : nil
        let jitter = Int64(random.next() % 500)
        let roll = random.next() % 100
        let handling: Handling
        if roll < 65 {
            handling = .assigned(ownerRoll: random.next(), reply: roll < 4 ? .failed : roll < 45 ? .sent : .none)
        } else if roll < 72 {
            handling = .automated
        } else {
            handling = .untouched
        }
        return SyntheticMix(
            connection: connection, tag: tag, department: department, stage: stage, jitter: jitter, handling: handling,
            finished: random.next() % 100 < 30)
    }
}

/// Fills a store with a large synthetic workspace through the store's own operations, so the
/// derived flags, membership tables and change log are exactly what production writes.
struct SyntheticWorkspace {
    let store: SQLiteStore
    let conversations: Int

    struct Layout {
        var workspace: WorkspaceID
        var admin: Agent
        var agents: [Agent]
        var connections: [ConnectionID]
        var tags: [TagID]
        var stages: [StageID]
        var departments: [DepartmentID]
    }

    /// The benchmark workspace in `store`: the one already there (from an earlier run on the same
    /// file), else a new one of `conversations` conversations.
    static func open(store: SQLiteStore, database: String, conversations: Int) async throws -> Layout {
        if let existing = try await existingLayout(store) {
            Console.line("reusing \(database)")
            return existing
        }
        let started = Date()
        let layout = try await SyntheticWorkspace(store: store, conversations: conversations).build { done in
            Console.line("  seeded \(done) conversations (\(Int(Date().timeIntervalSince(started))) s)")
        }
        Console.line("seeded \(conversations) conversations in \(Int(Date().timeIntervalSince(started))) s")
        return layout
    }

    private static func existingLayout(_ store: SQLiteStore) async throws -> Layout? {
        guard let workspace = try await store.workspaces().first(where: { $0.slug.hasPrefix("bench-") }) else { return nil }
        let agents = try await store.agents(in: workspace.id)
        guard let admin = agents.first(where: { $0.role == .admin }) else { return nil }
        return Layout(
            workspace: workspace.id, admin: admin, agents: agents.filter { $0.role == .agent }.sorted { $0.id < $1.id },
            connections: try await store.connections(in: workspace.id).map(\.id).sorted(),
            tags: try await store.tags(in: workspace.id).map(\.id).sorted(),
            stages: try await store.pipelines(in: workspace.id).flatMap(\.stages).map(\.id),
            departments: try await store.departments(in: workspace.id).map(\.id).sorted())
    }

    func build(progress: (Int) -> Void) async throws -> Layout {
        var random = SplitMix64(seed: 7)
        let workspace = try await store.createWorkspace(name: "Bench", slug: "bench-\(random.next() % 1_000_000)").id
        let departments = try await ["Vendas", "Suporte", "Financeiro", "Cobrança"].asyncMap { try await store.createDepartment(name: $0, in: workspace).id }
        let tags = try await (1...12).asyncMap { try await store.createTag(name: "tag-\($0)", color: "#123456", in: workspace).id }
        let stages = try await store.createPipeline(name: "Funil", stageNames: ["Novo", "Qualificado", "Proposta", "Negociação", "Fechado"], in: workspace).stages.map(\.id)
        let connections = try await (1...4).asyncMap {
            try await store.createConnection(kind: .whatsapp, name: "conn-\($0)", secretHash: "x", in: workspace).id
        }
        let admin = try await store.createAgent(AgentDraft(name: "Admin", email: "admin@bench.test", passwordHash: "x", role: .admin, departmentIDs: []), in: workspace)
        var agents: [Agent] = []
        for index in 0..<40 {
            agents.append(try await store.createAgent(
                AgentDraft(name: "Agent \(index)", email: "a\(index)@bench.test", passwordHash: "x", role: .agent,
                           departmentIDs: [departments[index % departments.count]]), in: workspace))
        }
        for index in 0..<conversations {
            let mix = SyntheticMix.draw(&random, connections: connections.count, tags: tags.count, departments: departments.count, stages: stages.count)
            let connection = connections[mix.connection]
            let handle = "h\(index)"
            _ = try await store.upsertContact(
                ContactUpsert(externalID: "c\(index)", name: "Contact \(index)", handles: [ContactHandle(connectionID: connection, handle: handle)],
                              tagIDs: mix.tag.map { [tags[$0]] } ?? [], departmentIDs: mix.department.map { [departments[$0]] } ?? []), in: workspace)
            if let stage = mix.stage {
                _ = try await store.upsertDeal(DealUpsert(externalID: "d\(index)", contact: .externalID("c\(index)"),
                                                          stageID: stages[stage], title: "Deal", valueCents: nil), in: workspace)
            }
            let conversation = try await store.receiveInbound(
                InboundMessage(providerMessageID: "m\(index)", handle: handle, contactName: nil, text: "Olá, tudo bem?",
                               sentAt: Timestamp(milliseconds: 1_700_000_000_000 + Int64(index) * 1000 + mix.jitter)),
                on: connection, in: workspace).conversation.id
            switch mix.handling {
            case .assigned(let ownerRoll, let reply):
                let owner = agents[Int(ownerRoll % UInt64(agents.count))]
                _ = try await store.assign(AssignmentChange(conversationID: conversation, condition: .init(assignee: .unassigned), assigneeID: owner.id), in: workspace)
                if reply != .none {
                    let sent = try await store.sendOutbound(OutboundMessage(author: .agent(owner.id), clientMessageID: "r\(index)", text: "Claro!"), to: conversation, in: workspace)
                    if reply == .failed {
                        _ = try await store.updateDelivery(DeliveryUpdate(messageID: sent.message.id, status: .failed, failureReason: "timeout"), in: workspace)
                    }
                }
            case .automated:
                _ = try await store.sendOutbound(OutboundMessage(author: .automation(name: "Bot"), clientMessageID: nil, text: "Já respondemos"), to: conversation, in: workspace)
            case .untouched:
                break
            }
            if mix.finished { _ = try await store.finish(conversation, in: workspace) }
            if index % 10_000 == 9_999 { progress(index + 1) }
        }
        return Layout(workspace: workspace, admin: admin, agents: agents, connections: connections, tags: tags, stages: stages, departments: departments)
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
