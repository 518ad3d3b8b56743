import InboxCore
import InboxStore

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
            let connection = connections[Int(random.next() % 4)]
            let leadTags = random.next() % 3 == 0 ? [tags[Int(random.next() % 12)]] : []
            let leadDepartments = random.next() % 10 < 7 ? [departments[Int(random.next() % 4)]] : []
            let handle = "h\(index)"
            _ = try await store.upsertContact(
                ContactUpsert(externalID: "c\(index)", name: "Contact \(index)", handles: [ContactHandle(connectionID: connection, handle: handle)],
                              tagIDs: leadTags, departmentIDs: leadDepartments), in: workspace)
            if random.next() % 10 < 6 {
                _ = try await store.upsertDeal(DealUpsert(externalID: "d\(index)", contact: .externalID("c\(index)"),
                                                          stageID: stages[Int(random.next() % 5)], title: "Deal", valueCents: nil), in: workspace)
            }
            let conversation = try await store.receiveInbound(
                InboundMessage(providerMessageID: "m\(index)", handle: handle, contactName: nil, text: "Olá, tudo bem?",
                               sentAt: Timestamp(milliseconds: 1_700_000_000_000 + Int64(index) * 1000 + Int64(random.next() % 500))),
                on: connection, in: workspace).conversation.id
            let roll = random.next() % 100
            if roll < 65 {
                let owner = agents[Int(random.next() % UInt64(agents.count))]
                _ = try await store.assign(AssignmentChange(conversationID: conversation, condition: .init(assignee: .unassigned), assigneeID: owner.id), in: workspace)
                if roll < 45 {
                    let reply = try await store.sendOutbound(OutboundMessage(author: .agent(owner.id), clientMessageID: "r\(index)", text: "Claro!"), to: conversation, in: workspace)
                    if roll < 4 {
                        _ = try await store.updateDelivery(DeliveryUpdate(messageID: reply.message.id, status: .failed, failureReason: "timeout"), in: workspace)
                    }
                }
            } else if roll < 72 {
                _ = try await store.sendOutbound(OutboundMessage(author: .automation(name: "Bot"), clientMessageID: nil, text: "Já respondemos"), to: conversation, in: workspace)
            }
            if random.next() % 100 < 30 { _ = try await store.finish(conversation, in: workspace) }
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
