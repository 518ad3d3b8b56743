import InboxCore
import InboxStore

/// One randomly built workspace and what the property test needs to know about it.
struct RandomWorkspace: Sendable {
    var id: WorkspaceID
    var connections: [ConnectionID] = []
    var tags: [TagID] = []
    var departments: [DepartmentID] = []
    var stages: [StageID] = []
    var agents: [Agent] = []
    /// Every conversation, in creation order.
    var conversations: [ConversationID] = []
    var contacts: [ContactID] = []
    /// CRM leads: external id and the handles they are reached at.
    var leads: [(externalID: String, handles: [ContactHandle])] = []
    var outbound: [MessageID] = []
}

/// Builds random workspaces through the store's public API only, the way the server drives it:
/// directory entities, CRM leads, customer messages with past timestamps, then a random mix of
/// replies (agents and automations), delivery reports, finishes, reopens, assignments and lead
/// updates.
struct RandomWorld {
    let store: SQLiteStore
    let clock: TestClock
    var rng: SplitMix64
    private var messageCounter = 0

    init(store: SQLiteStore, clock: TestClock, rng: SplitMix64) {
        self.store = store
        self.clock = clock
        self.rng = rng
    }

    mutating func build(workspaces count: Int) async throws -> [RandomWorkspace] {
        var result: [RandomWorkspace] = []
        for index in 0..<count { result.append(try await workspace(index)) }
        return result
    }

    private mutating func workspace(_ index: Int) async throws -> RandomWorkspace {
        let id = try await store.createWorkspace(name: "Workspace \(index)", slug: "w\(index)").id
        var w = RandomWorkspace(id: id)
        for c in 0..<rng.int(1...4) {
            w.connections.append(try await store.createConnection(kind: rng.pick(ConnectionKind.allCases), name: "C\(c)", secretHash: "s", in: id).id)
        }
        for t in 0..<rng.int(0...5) { w.tags.append(try await store.createTag(name: "T\(t)", color: "#abc", in: id).id) }
        for d in 0..<rng.int(0...4) { w.departments.append(try await store.createDepartment(name: "D\(d)", in: id).id) }
        for p in 0..<rng.int(1...2) {
            let names = (0..<rng.int(1...3)).map { "S\($0)" }
            w.stages += try await store.createPipeline(name: "P\(p)", stageNames: names, in: id).stages.map(\.id)
        }
        for a in 0..<rng.int(2...6) {
            let role = rng.pick([Role.agent, .agent, .agent, .supervisor, .admin])
            w.agents.append(try await store.createAgent(
                AgentDraft(name: "Agent \(a)", email: "a\(a)@w\(index).io", passwordHash: "h", role: role, departmentIDs: rng.subset(w.departments)),
                in: id))
        }
        for l in 0..<rng.int(2...10) {
            let handles = rng.subset(w.connections, 0.6).map { ContactHandle(connectionID: $0, handle: "lead\(l)") }
            let upsert = ContactUpsert(
                externalID: "crm-\(l)", name: "Lead \(l)", handles: handles,
                tagIDs: rng.chance(0.7) ? rng.subset(w.tags) : nil, departmentIDs: rng.chance(0.6) ? rng.subset(w.departments, 0.3) : nil)
            w.contacts.append(try await store.upsertContact(upsert, in: id).value.id)
            w.leads.append((upsert.externalID, handles))
        }
        for _ in 0..<rng.int(25...50) { try await inbound(&w) }
        try await churn(&w, operations: rng.int(80...150))
        return w
    }

    /// Random operations on an existing workspace: replies, deliveries, finishes, reopens,
    /// assignments, lead and deal updates, customer messages.
    mutating func churn(_ w: inout RandomWorkspace, operations: Int) async throws {
        for _ in 0..<operations {
            clock.advance(by: Int64(rng.pick([0, 0, 0, 1, 1_000, 60_000])))
            try await operation(&w)
        }
    }

    /// A customer message from a lead's handle, a returning stranger or a new one.
    private mutating func inbound(_ w: inout RandomWorkspace) async throws {
        let connection: ConnectionID, handle: String
        if rng.chance(0.4), let lead = w.leads.filter({ !$0.handles.isEmpty }).randomElement(using: &rng) {
            let chosen = rng.pick(lead.handles)
            (connection, handle) = (chosen.connectionID, chosen.handle)
        } else {
            (connection, handle) = (rng.pick(w.connections), "h\(rng.int(0...60))")
        }
        messageCounter += 1
        let sentAt: Timestamp? = rng.chance(0.2) ? nil : clock.now.adding(milliseconds: -Int64(rng.int(0...40)) * 1_000)
        let result = try await store.receiveInbound(
            InboundMessage(providerMessageID: "m\(messageCounter)", handle: handle, contactName: nil, text: "hi \(messageCounter)", sentAt: sentAt),
            on: connection, in: w.id)
        if !w.conversations.contains(result.conversation.id) { w.conversations.append(result.conversation.id) }
        if !w.contacts.contains(result.conversation.contactID) { w.contacts.append(result.conversation.contactID) }
    }

    private mutating func operation(_ w: inout RandomWorkspace) async throws {
        let conversation = rng.pick(w.conversations)
        switch rng.int(0...11) {
        case 0, 1:
            let result = try await store.sendOutbound(
                OutboundMessage(author: .agent(rng.pick(w.agents).id), clientMessageID: rng.chance(0.5) ? "c\(rng.int(0...50))" : nil, text: "reply"),
                to: conversation, in: w.id)
            if !result.duplicate { w.outbound.append(result.message.id) }
        case 2:
            let result = try await store.sendOutbound(OutboundMessage(author: .automation(name: "Bot"), clientMessageID: nil, text: "auto"), to: conversation, in: w.id)
            w.outbound.append(result.message.id)
        case 3, 4:
            guard let message = w.outbound.suffix(8).randomElement(using: &rng) else { return }
            _ = try await store.updateDelivery(DeliveryUpdate(messageID: message, status: .failed, failureReason: "bounced"), in: w.id)
        case 5:
            guard let message = w.outbound.randomElement(using: &rng) else { return }
            _ = try await store.updateDelivery(DeliveryUpdate(messageID: message, status: rng.pick([.sent, .delivered, .read])), in: w.id)
        case 6:
            _ = try await store.finish(conversation, in: w.id)
        case 7:
            if rng.chance(0.5) { _ = try await store.reopen(conversation, in: w.id) } else { _ = try await store.markRead(conversation, in: w.id) }
        case 8:
            let change = AssignmentChange(
                conversationID: conversation, condition: AssignmentCondition(assignee: .any, requireOpen: rng.chance(0.7)),
                assigneeID: rng.chance(0.3) ? nil : rng.pick(w.agents).id,
                departmentIDs: rng.chance(0.5) ? nil : rng.subset(w.departments, 0.3))
            _ = try await store.assign(change, in: w.id)
        case 9:
            guard let lead = w.leads.randomElement(using: &rng) else { return }
            let upsert = ContactUpsert(
                externalID: lead.externalID, name: rng.chance(0.2) ? "Renamed \(rng.int(0...9))" : "Lead",
                tagIDs: rng.chance(0.7) ? rng.subset(w.tags) : nil, departmentIDs: rng.chance(0.5) ? rng.subset(w.departments, 0.3) : nil)
            _ = try await store.upsertContact(upsert, in: w.id)
        case 10:
            let contact: ContactReference = rng.chance(0.5) ? .externalID(rng.pick(w.leads).externalID) : .id(rng.pick(w.contacts))
            _ = try await store.upsertDeal(
                DealUpsert(externalID: "deal-\(rng.int(0...15))", contact: contact, stageID: rng.pick(w.stages), title: "Deal", valueCents: nil), in: w.id)
        default:
            try await inbound(&w)
        }
    }
}
