import InboxCore
import InboxStore

/// Plays the past of one demo conversation through the store's own operations, so every
/// derived flag and change-log entry is produced exactly as in production.
struct DemoHistory<Store: InboxStore> {
    let store: Store
    let clock: DemoClock
    let workspace: WorkspaceID
    let agents: [Agent]
    let connections: [Connection]
    let departments: [DepartmentID]
    let tags: [TagID]
    let stages: [StageID]

    func play(contact index: Int, startingAt start: Timestamp, random: inout SplitMix64) async throws {
        var time = start
        func advance(minutes: ClosedRange<Int>, _ random: inout SplitMix64) {
            time = time.adding(milliseconds: Int64(Int.random(in: minutes, using: &random)) * 60_000 + Int64(index % 997))
            clock.set(time)
        }
        clock.set(time)
        let connection = connections[DemoContact.connectionIndex(index, count: connections.count)]
        let handle = DemoContact.handle(index, kind: connection.kind)
        let leadDepartments = random.chance(0.7) ? [random.pick(departments)] : []
        let leadTags = random.chance(0.6) ? Array(Set((0..<Int.random(in: 1...2, using: &random)).map { _ in random.pick(tags) })) : []
        _ = try await store.upsertContact(
            ContactUpsert(
                externalID: "crm-\(index)", name: DemoContact.name(index),
                handles: [ContactHandle(connectionID: connection.id, handle: handle)], tagIDs: leadTags, departmentIDs: leadDepartments),
            in: workspace)
        if random.chance(0.6) {
            _ = try await store.upsertDeal(
                DealUpsert(
                    externalID: "deal-\(index)", contact: .externalID("crm-\(index)"), stageID: random.pick(stages),
                    title: "Oportunidade \(DemoContact.name(index))", valueCents: Int64.random(in: 50_000...2_000_000, using: &random)),
                in: workspace)
        }
        var result = try await store.receiveInbound(
            InboundMessage(providerMessageID: "seed-\(index)-0", handle: handle, contactName: DemoContact.name(index), text: random.pick(DemoData.customerLines)),
            on: connection.id, in: workspace)
        let conversation = result.conversation.id

        if random.chance(0.2) {
            advance(minutes: 0...1, &random)
            result = try await store.sendOutbound(
                OutboundMessage(author: .automation(name: "Robô de boas-vindas"), clientMessageID: nil, text: random.pick(DemoData.automationLines)),
                to: conversation, in: workspace)
            try await deliver(result.message.id, failing: false, &random)
            if random.chance(0.5) { return } // left to the automation: listed under "Automações"
        }
        if random.chance(0.25) { return } // nobody took it yet
        let eligible = agents.filter { $0.role == .agent && (leadDepartments.isEmpty || !Set($0.departmentIDs).isDisjoint(with: leadDepartments)) }
        let owner = eligible.isEmpty ? random.pick(agents) : random.pick(eligible)
        advance(minutes: 1...90, &random)
        _ = try await store.assign(
            AssignmentChange(conversationID: conversation, condition: AssignmentCondition(assignee: .unassigned), assigneeID: owner.id),
            in: workspace)
        for round in 0..<Int.random(in: 1...3, using: &random) {
            advance(minutes: 1...30, &random)
            result = try await store.sendOutbound(
                OutboundMessage(author: .agent(owner.id), clientMessageID: "seed-\(index)-\(round)", text: random.pick(DemoData.agentLines)),
                to: conversation, in: workspace)
            try await deliver(result.message.id, failing: random.chance(0.06), &random)
            guard random.chance(0.6) else { break } // awaiting the customer's reply
            advance(minutes: 5...240, &random)
            _ = try await store.receiveInbound(
                InboundMessage(providerMessageID: "seed-\(index)-r\(round)", handle: handle, contactName: nil, text: random.pick(DemoData.customerLines)),
                on: connection.id, in: workspace)
        }
        if random.chance(0.3) {
            advance(minutes: 10...600, &random)
            _ = try await store.finish(conversation, in: workspace)
        }
    }

    private func deliver(_ message: MessageID, failing: Bool, _ random: inout SplitMix64) async throws {
        if failing {
            _ = try await store.updateDelivery(
                DeliveryUpdate(messageID: message, status: .failed, failureReason: random.pick(DemoData.failureReasons)), in: workspace)
            return
        }
        for status in [DeliveryStatus.sent, .delivered, .read].prefix(Int.random(in: 1...3, using: &random)) {
            _ = try await store.updateDelivery(DeliveryUpdate(messageID: message, status: status), in: workspace)
        }
    }
}
