import HTTPTypes
import InboxCore
import InboxServer
import InboxStore

/// Two workspaces. "acme" holds five conversations, one per interesting state, at known times:
///
/// | conv | lead departments | tags | stage    | connection | assignee | state                          | activity |
/// |------|------------------|------|----------|------------|----------|--------------------------------|----------|
/// | 1    | Vendas           | VIP  | Proposta | WhatsApp   | -        | open, new                      | 1000     |
/// | 2    | Suporte          | Frio | -        | Instagram  | suporte  | awaiting reply                 | 2100     |
/// | 3    | -                | -    | -        | WhatsApp   | -        | automation (and awaiting)      | 3100     |
/// | 4    | Vendas           | -    | Novo     | WhatsApp   | vendas   | send failed (and awaiting)     | 4100     |
/// | 5    | Suporte          | -    | -        | Instagram  | -        | finished                       | 5000     |
///
/// "other" holds one conversation, which nobody in acme may ever see.
struct InboxFixture: Sendable {
    static let password = "correct horse"

    let store: SQLiteStore
    let clock: TestClock
    let configuration: ServerConfiguration
    let acme: WorkspaceID
    let other: WorkspaceID
    let vendas: DepartmentID, suporte: DepartmentID
    let vip: TagID, frio: TagID
    let whatsapp: ConnectionID, instagram: ConnectionID
    let whatsappSecret: String
    let novo: StageID, proposta: StageID
    let admin: Agent, supervisor: Agent, vendasAgent: Agent, suporteAgent: Agent
    let conversations: [ConversationID]
    let otherConversation: ConversationID, otherDepartment: DepartmentID, otherTag: TagID, otherConnection: ConnectionID
    let failedMessage: MessageID

    static func make() async throws -> InboxFixture {
        let clock = TestClock()
        let store = try SQLiteStore(.init(path: nil, now: clock.now))
        let hasher = PasswordHasher(cost: 4)
        let hash = try await hasher.hash(password)
        let configuration = ServerConfiguration(sessionLifetimeSeconds: 3600, passwordHasher: hasher, maxLoginFailures: 5, now: clock.now)

        let acme = try await store.createWorkspace(name: "Acme", slug: "acme").id
        let vendas = try await store.createDepartment(name: "Vendas", in: acme).id
        let suporte = try await store.createDepartment(name: "Suporte", in: acme).id
        let vip = try await store.createTag(name: "VIP", color: "#ff0000", in: acme).id
        let frio = try await store.createTag(name: "Frio", color: "#0000ff", in: acme).id
        let whatsappSecret = "whatsapp-secret-123"
        let whatsapp = try await store.createConnection(kind: .whatsapp, name: "Datacrazy", secretHash: Secrets.hash(whatsappSecret), in: acme).id
        let instagram = try await store.createConnection(kind: .instagram, name: "crm.datacrazy", secretHash: Secrets.hash("ig"), in: acme).id
        let stages = try await store.createPipeline(name: "Vendas", stageNames: ["Novo", "Proposta"], in: acme).stages.map(\.id)
        func agent(_ name: String, _ role: Role, _ departments: [DepartmentID]) async throws -> Agent {
            try await store.createAgent(
                AgentDraft(name: name, email: "\(name)@acme.test", passwordHash: hash, role: role, departmentIDs: departments), in: acme)
        }
        let admin = try await agent("admin", .admin, [])
        let supervisor = try await agent("supervisor", .supervisor, [])
        let vendasAgent = try await agent("vendas", .agent, [vendas])
        let suporteAgent = try await agent("suporte", .agent, [suporte])

        func lead(_ n: Int, _ connection: ConnectionID, departments: [DepartmentID], tags: [TagID], stage: StageID?, at time: Int64) async throws -> ConversationID {
            clock.set(time)
            _ = try await store.upsertContact(
                ContactUpsert(externalID: "lead-\(n)", name: "Lead \(n)", handles: [ContactHandle(connectionID: connection, handle: "+55 11 9000\(n)")],
                              tagIDs: tags, departmentIDs: departments), in: acme)
            if let stage {
                _ = try await store.upsertDeal(DealUpsert(externalID: "deal-\(n)", contact: .externalID("lead-\(n)"), stageID: stage, title: "Deal \(n)", valueCents: nil), in: acme)
            }
            return try await store.receiveInbound(
                InboundMessage(providerMessageID: "in-\(n)", handle: "+55 11 9000\(n)", contactName: nil, text: "Olá \(n)"), on: connection, in: acme
            ).conversation.id
        }
        func claim(_ id: ConversationID, _ agent: Agent) async throws {
            _ = try await store.assign(AssignmentChange(conversationID: id, condition: .init(assignee: .unassigned), assigneeID: agent.id), in: acme)
        }
        let c1 = try await lead(1, whatsapp, departments: [vendas], tags: [vip], stage: stages[1], at: 1000)
        let c2 = try await lead(2, instagram, departments: [suporte], tags: [frio], stage: nil, at: 2000)
        try await claim(c2, suporteAgent)
        clock.set(2100)
        _ = try await store.sendOutbound(OutboundMessage(author: .agent(suporteAgent.id), clientMessageID: "r2", text: "Oi!"), to: c2, in: acme)
        let c3 = try await lead(3, whatsapp, departments: [], tags: [], stage: nil, at: 3000)
        clock.set(3100)
        _ = try await store.sendOutbound(OutboundMessage(author: .automation(name: "Robô"), clientMessageID: nil, text: "Já vamos atender"), to: c3, in: acme)
        let c4 = try await lead(4, whatsapp, departments: [vendas], tags: [], stage: stages[0], at: 4000)
        try await claim(c4, vendasAgent)
        clock.set(4100)
        let sent = try await store.sendOutbound(OutboundMessage(author: .agent(vendasAgent.id), clientMessageID: "r4", text: "Proposta"), to: c4, in: acme)
        _ = try await store.updateDelivery(DeliveryUpdate(messageID: sent.message.id, status: .failed, failureReason: "Número inválido"), in: acme)
        let c5 = try await lead(5, instagram, departments: [suporte], tags: [], stage: nil, at: 5000)
        _ = try await store.finish(c5, in: acme)

        let other = try await store.createWorkspace(name: "Other", slug: "other").id
        let otherDepartment = try await store.createDepartment(name: "Vendas", in: other).id
        let otherTag = try await store.createTag(name: "VIP", color: "#ff0000", in: other).id
        let otherConnection = try await store.createConnection(kind: .whatsapp, name: "Other WA", secretHash: Secrets.hash("other"), in: other).id
        _ = try await store.createAgent(AgentDraft(name: "intruder", email: "intruder@other.test", passwordHash: hash, role: .admin, departmentIDs: []), in: other)
        clock.set(6000)
        let otherConversation = try await store.receiveInbound(
            InboundMessage(providerMessageID: "o-1", handle: "+1 555", contactName: "Outsider", text: "hi"), on: otherConnection, in: other
        ).conversation.id
        clock.set(10_000)

        return InboxFixture(
            store: store, clock: clock, configuration: configuration, acme: acme, other: other, vendas: vendas, suporte: suporte,
            vip: vip, frio: frio, whatsapp: whatsapp, instagram: instagram, whatsappSecret: whatsappSecret,
            novo: stages[0], proposta: stages[1], admin: admin, supervisor: supervisor, vendasAgent: vendasAgent,
            suporteAgent: suporteAgent, conversations: [c1, c2, c3, c4, c5], otherConversation: otherConversation,
            otherDepartment: otherDepartment, otherTag: otherTag, otherConnection: otherConnection, failedMessage: sent.message.id)
    }

    /// Raw ids of acme's conversations 1...5 by their number in the table above.
    func ids(_ numbers: Int...) -> [Int64] { numbers.map { conversations[$0 - 1].rawValue } }
}
