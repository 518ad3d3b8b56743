import InboxCore
import InboxStore
import Testing

@Suite("Store: assignment compare-and-set")
struct AssignmentStoreTests {
    struct Setup {
        let db: TestDatabase
        let workspace: WorkspaceID
        let other: WorkspaceID
        let connection: ConnectionID
        let bia: Agent
        let caio: Agent
        let conversation: Conversation
        var store: SQLiteStore { db.store }

        init(_ kind: StoreKind) async throws {
            db = try TestDatabase(kind)
            let store = db.store
            workspace = try await store.makeWorkspace("a").id
            other = try await store.makeWorkspace("b").id
            connection = try await store.makeConnection(in: workspace).id
            bia = try await store.makeAgent("Bia", in: workspace)
            caio = try await store.makeAgent("Caio", in: workspace)
            conversation = try await store.inbound("p1", from: "ana", on: connection, in: workspace).conversation
        }

        func claim(_ agent: Agent, _ id: ConversationID? = nil, version: Int64? = nil, capacity: Int? = nil) async throws -> AssignmentOutcome {
            try await store.assign(
                AssignmentChange(
                    conversationID: id ?? conversation.id, condition: AssignmentCondition(assignee: .unassigned, version: version),
                    assigneeID: agent.id, assigneeCapacity: capacity),
                in: workspace)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func claimSucceedsOnceThenNamesTheWinner(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let won = try await s.claim(s.bia)
        guard case .changed(let result) = won else { Issue.record("first claim lost: \(won)"); return }
        #expect(result.value.assigneeID == s.bia.id && result.value.version == s.conversation.version + 1)
        #expect(result.changes.map(\.kind) == [.assigned] && result.changes.first?.conversation == result.value)
        #expect(try await s.store.conversation(s.conversation.id, in: s.workspace) == result.value)

        let lost = try #require(try await s.claim(s.caio).conflict)
        #expect(lost.0 == .assigneeChanged && lost.1.assigneeID == s.bia.id && lost.1 == result.value)
        #expect(try await s.store.latestSequence(in: s.workspace) == 2)
    }

    @Test(arguments: StoreKind.allCases)
    func staleVersionLoses(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        _ = try await s.store.inbound("p2", from: "ana", on: s.connection, in: s.workspace) // version 2 now
        let lost = try #require(try await s.claim(s.bia, version: s.conversation.version).conflict)
        #expect(lost.0 == .versionChanged && lost.1.version == s.conversation.version + 1 && lost.1.assigneeID == nil)
        let current = try await s.store.conversation(s.conversation.id, in: s.workspace)
        #expect(try await s.claim(s.bia, version: current.version).changed?.assigneeID == s.bia.id)
    }

    @Test(arguments: StoreKind.allCases)
    func finishedConversationIsNotOpen(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        _ = try await s.store.finish(s.conversation.id, in: s.workspace)
        let lost = try #require(try await s.claim(s.bia).conflict)
        #expect(lost.0 == .notOpen && lost.1.status == .finished)
        // Without requireOpen the change applies to a finished conversation too.
        let change = AssignmentChange(
            conversationID: s.conversation.id, condition: AssignmentCondition(assignee: .any, requireOpen: false), assigneeID: s.caio.id)
        #expect(try await s.store.assign(change, in: s.workspace).changed?.assigneeID == s.caio.id)
    }

    @Test(arguments: StoreKind.allCases)
    func capacityCountsOpenConversations(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let second = try await s.store.inbound("p2", from: "bob", on: s.connection, in: s.workspace).conversation.id
        #expect(try await s.claim(s.bia, capacity: 1).changed != nil)
        let full = try #require(try await s.claim(s.bia, second, capacity: 1).conflict)
        #expect(full.0 == .capacityReached && full.1.assigneeID == nil)
        #expect(try await s.claim(s.caio, second, capacity: 1).changed != nil) // another agent has room
        _ = try await s.store.finish(s.conversation.id, in: s.workspace) // frees Bia's slot
        let transfer = AssignmentChange(conversationID: second, condition: AssignmentCondition(assignee: .agent(s.caio.id)), assigneeID: s.bia.id, assigneeCapacity: 1)
        #expect(try await s.store.assign(transfer, in: s.workspace).changed?.assigneeID == s.bia.id)
    }

    @Test(arguments: StoreKind.allCases)
    func releaseAndTransferByOwner(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        _ = try await s.claim(s.bia)
        let notYours = AssignmentChange(conversationID: s.conversation.id, condition: AssignmentCondition(assignee: .agent(s.caio.id)), assigneeID: nil)
        #expect(try await s.store.assign(notYours, in: s.workspace).conflict?.0 == .assigneeChanged)
        let release = AssignmentChange(conversationID: s.conversation.id, condition: AssignmentCondition(assignee: .agent(s.bia.id)), assigneeID: nil)
        let released = try #require(try await s.store.assign(release, in: s.workspace).changed)
        #expect(released.assigneeID == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func rejectsForeignReferences(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let foreigner = try await s.store.makeAgent("Zé", in: s.other)
        let foreignDepartment = try await s.store.createDepartment(name: "D", in: s.other).id
        await #expect(throws: InboxError.invalidReference(field: "assigneeId")) { try await s.claim(foreigner) }
        await #expect(throws: InboxError.invalidReference(field: "departmentIds")) {
            try await s.store.assign(AssignmentChange(conversationID: s.conversation.id, condition: .init(), assigneeID: nil, departmentIDs: [foreignDepartment]), in: s.workspace)
        }
        await #expect(throws: InboxError.notFound(entity: "conversation")) {
            try await s.store.assign(AssignmentChange(conversationID: s.conversation.id, condition: .init(), assigneeID: foreigner.id), in: s.other)
        }
        _ = try await s.store.updateAgent(s.bia.id, in: s.workspace, with: AgentPatch(active: false))
        await #expect(throws: InboxError.invalidReference(field: "assigneeId")) { try await s.claim(s.bia) }
        #expect(try await s.store.conversation(s.conversation.id, in: s.workspace) == s.conversation)
    }

    @Test func fiftyRacingClaimsHaveExactlyOneWinner() async throws {
        let s = try await Setup(.file)
        var agents: [Agent] = []
        for i in 0..<50 { agents.append(try await s.store.makeAgent("Racer\(i)", in: s.workspace)) }
        let store = s.store, workspace = s.workspace, id = s.conversation.id
        let outcomes = try await withThrowingTaskGroup(of: (AgentID, AssignmentOutcome).self) { group in
            for agent in agents {
                group.addTask {
                    let change = AssignmentChange(conversationID: id, condition: AssignmentCondition(assignee: .unassigned), assigneeID: agent.id)
                    return (agent.id, try await store.assign(change, in: workspace))
                }
            }
            var all: [(AgentID, AssignmentOutcome)] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.count == 50)
        let winners = outcomes.filter { $0.1.changed != nil }
        try #require(winners.count == 1)
        let winner = winners[0].0
        for (_, outcome) in outcomes where outcome.changed == nil {
            let conflict = try #require(outcome.conflict)
            #expect(conflict.0 == .assigneeChanged && conflict.1.assigneeID == winner)
        }
        let final = try await s.store.conversation(id, in: workspace)
        #expect(final.assigneeID == winner && final.version == s.conversation.version + 1)
        #expect(try await s.store.allChanges(in: workspace).filter { $0.kind == .assigned }.count == 1)
    }
}
