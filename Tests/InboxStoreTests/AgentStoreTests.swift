import InboxCore
import InboxStore
import Testing

@Suite("Store: agents and sessions")
struct AgentStoreTests {
    @Test(arguments: StoreKind.allCases)
    func createAndRead(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind), store = db.store
        let a = try await store.makeWorkspace("a")
        let d2 = try await store.createDepartment(name: "D2", in: a.id), d1 = try await store.createDepartment(name: "D1", in: a.id)
        let agent = try await store.createAgent(
            AgentDraft(name: " Bia ", email: "Bia@Example.com", passwordHash: "h", role: .supervisor, departmentIDs: [d1.id, d2.id, d1.id], maxOpenConversations: 3),
            in: a.id)
        #expect(agent.name == "Bia" && agent.email == "bia@example.com" && agent.role == .supervisor)
        #expect(agent.departmentIDs == [d1.id, d2.id].sorted())
        #expect(agent.maxOpenConversations == 3 && agent.active)
        #expect(try await store.agent(agent.id, in: a.id) == agent)
        #expect(try await store.agents(in: a.id) == [agent])
    }

    @Test(arguments: StoreKind.allCases)
    func duplicateEmailAndCrossWorkspace(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind), store = db.store
        let a = try await store.makeWorkspace("a"), b = try await store.makeWorkspace("b")
        let bia = try await store.makeAgent("Bia", in: a.id)
        await #expect(throws: InboxError.alreadyExists(field: "email")) { try await store.makeAgent("Bia", in: a.id) }
        let biaInB = try await store.makeAgent("Bia", in: b.id) // same email in another workspace is fine
        #expect(try await store.credentials(email: "BIA@example.com").map(\.agent) == [bia, biaInB])
        #expect(try await store.credentials(email: "bia@example.com").map(\.workspaceSlug) == ["a", "b"])

        await #expect(throws: InboxError.notFound(entity: "agent")) { try await store.agent(bia.id, in: b.id) }
        await #expect(throws: InboxError.notFound(entity: "agent")) {
            try await store.updateAgent(bia.id, in: b.id, with: AgentPatch(name: "Stolen"))
        }
        let foreignDepartment = try await store.createDepartment(name: "B only", in: b.id)
        await #expect(throws: InboxError.invalidReference(field: "departmentIds")) {
            try await store.makeAgent("Caio", in: a.id, departments: [foreignDepartment.id])
        }
        await #expect(throws: InboxError.invalidReference(field: "departmentIds")) {
            try await store.updateAgent(bia.id, in: a.id, with: AgentPatch(departmentIDs: [foreignDepartment.id]))
        }
        await #expect(throws: InboxError.notFound(entity: "workspace")) { try await store.makeAgent("Zé", in: WorkspaceID(999)) }
    }

    @Test(arguments: StoreKind.allCases)
    func update(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind), store = db.store
        let a = try await store.makeWorkspace("a")
        let d = try await store.createDepartment(name: "D", in: a.id)
        let bia = try await store.makeAgent("Bia", in: a.id, cap: 2)
        _ = try await store.makeAgent("Caio", in: a.id)
        let updated = try await store.updateAgent(
            bia.id, in: a.id, with: AgentPatch(name: "Beatriz", role: .admin, departmentIDs: [d.id], active: false, maxOpenConversations: .some(nil)))
        #expect(updated.name == "Beatriz" && updated.role == .admin && updated.departmentIDs == [d.id] && !updated.active)
        #expect(updated.maxOpenConversations == nil && updated.email == bia.email)
        let capped = try await store.updateAgent(bia.id, in: a.id, with: AgentPatch(maxOpenConversations: 5))
        #expect(capped.maxOpenConversations == 5 && capped.name == "Beatriz")
        await #expect(throws: InboxError.alreadyExists(field: "email")) {
            try await store.updateAgent(bia.id, in: a.id, with: AgentPatch(email: "caio@example.com"))
        }
        await #expect(throws: InboxError.self) { try await store.updateAgent(bia.id, in: a.id, with: AgentPatch(maxOpenConversations: -1)) }
        await #expect(throws: InboxError.invalidField(field: "email", reason: "not an email address")) {
            try await store.updateAgent(bia.id, in: a.id, with: AgentPatch(email: "nope"))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func sessions(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind)
        let store = db.store
        let a = try await store.makeWorkspace("a")
        let bia = try await store.makeAgent("Bia", in: a.id)
        let session = SessionRecord(tokenHash: "t1", agentID: bia.id, workspaceID: a.id, createdAt: db.clock.now, expiresAt: db.clock.now.adding(milliseconds: 60_000))
        try await store.createSession(session)
        try await store.createSession(SessionRecord(tokenHash: "t2", agentID: bia.id, workspaceID: a.id, createdAt: db.clock.now, expiresAt: db.clock.now))
        await #expect(throws: InboxError.alreadyExists(field: "token")) { try await store.createSession(session) }
        #expect(try await store.session(tokenHash: "t1") == session)
        #expect(try await store.session(tokenHash: "nope") == nil)

        db.clock.advance()
        try await store.revokeSession(tokenHash: "t1")
        #expect(try await store.session(tokenHash: "t1")?.revokedAt == db.clock.now)
        db.clock.advance()
        try await store.revokeSessions(of: bia.id)
        #expect(try await store.session(tokenHash: "t1")?.revokedAt == db.clock.now.adding(milliseconds: -1_000)) // first revocation kept
        #expect(try await store.session(tokenHash: "t2")?.revokedAt == db.clock.now)
    }
}
