import InboxCore
import InboxStore
import Testing

@Suite("Store: workspaces and directory")
struct DirectoryStoreTests {
    @Test(arguments: StoreKind.allCases)
    func workspaces(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind)
        let store = db.store
        let acme = try await store.createWorkspace(name: " Acme ", slug: "ACME")
        #expect(acme.name == "Acme" && acme.slug == "acme" && acme.createdAt == db.clock.now)
        #expect(try await store.workspace(acme.id) == acme)
        #expect(try await store.workspace(slug: "Acme") == acme)
        #expect(try await store.workspace(slug: "nope") == nil)
        let beta = try await store.makeWorkspace("beta")
        #expect(try await store.workspaces() == [acme, beta])
        await #expect(throws: InboxError.alreadyExists(field: "slug")) { try await store.createWorkspace(name: "Other", slug: "acme") }
        await #expect(throws: InboxError.notFound(entity: "workspace")) { try await store.workspace(WorkspaceID(999)) }
        await #expect(throws: InboxError.invalidField(field: "name", reason: "must not be empty")) {
            try await store.createWorkspace(name: " ", slug: "x")
        }
        #expect(try await store.latestSequence(in: acme.id) == 0)
        await #expect(throws: InboxError.notFound(entity: "workspace")) { try await store.latestSequence(in: WorkspaceID(999)) }
    }

    @Test(arguments: StoreKind.allCases)
    func departments(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind), store = db.store
        let a = try await store.makeWorkspace("a"), b = try await store.makeWorkspace("b")
        let sales = try await store.createDepartment(name: "Vendas", in: a.id)
        let support = try await store.createDepartment(name: "Suporte", in: a.id)
        _ = try await store.createDepartment(name: "Vendas", in: b.id) // same name, other workspace: fine
        await #expect(throws: InboxError.alreadyExists(field: "name")) { try await store.createDepartment(name: "Vendas", in: a.id) }
        await #expect(throws: InboxError.notFound(entity: "workspace")) { try await store.createDepartment(name: "X", in: WorkspaceID(999)) }
        #expect(try await store.departments(in: a.id) == [support, sales]) // by name

        let renamed = try await store.updateDepartment(sales.id, in: a.id, name: "Comercial", active: false)
        #expect(renamed == Department(id: sales.id, workspaceID: a.id, name: "Comercial", active: false))
        let unchanged = try await store.updateDepartment(sales.id, in: a.id, name: nil, active: nil)
        #expect(unchanged == renamed)
        await #expect(throws: InboxError.alreadyExists(field: "name")) {
            try await store.updateDepartment(support.id, in: a.id, name: "Comercial", active: nil)
        }
        await #expect(throws: InboxError.notFound(entity: "department")) {
            try await store.updateDepartment(sales.id, in: b.id, name: "Stolen", active: nil)
        }
        #expect(try await store.departments(in: b.id).map(\.name) == ["Vendas"])
    }

    @Test(arguments: StoreKind.allCases)
    func tags(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind), store = db.store
        let a = try await store.makeWorkspace("a"), b = try await store.makeWorkspace("b")
        let vip = try await store.createTag(name: "VIP", color: "#FFAA00", in: a.id)
        #expect(vip.color == "#ffaa00" && vip.active)
        await #expect(throws: InboxError.alreadyExists(field: "name")) { try await store.createTag(name: "VIP", color: "#000", in: a.id) }
        await #expect(throws: InboxError.invalidField(field: "color", reason: "a colour like #1f9d55")) {
            try await store.createTag(name: "Bad", color: "blue", in: a.id)
        }
        let updated = try await store.updateTag(vip.id, in: a.id, name: "Gold", color: "#ABC", active: false)
        #expect(updated == Tag(id: vip.id, workspaceID: a.id, name: "Gold", color: "#abc", active: false))
        await #expect(throws: InboxError.notFound(entity: "tag")) { try await store.updateTag(vip.id, in: b.id, name: nil, color: nil, active: true) }
        #expect(try await store.tags(in: a.id) == [updated])
        #expect(try await store.tags(in: b.id).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func connections(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind), store = db.store
        let a = try await store.makeWorkspace("a"), b = try await store.makeWorkspace("b")
        let wa = try await store.createConnection(kind: .whatsapp, name: "WhatsApp", secretHash: "h1", in: a.id)
        #expect(wa.active && wa.kind == .whatsapp && wa.workspaceID == a.id)
        await #expect(throws: InboxError.alreadyExists(field: "name")) {
            try await store.createConnection(kind: .api, name: "WhatsApp", secretHash: "h2", in: a.id)
        }
        #expect(try await store.connection(wa.id, in: a.id) == wa)
        await #expect(throws: InboxError.notFound(entity: "connection")) { try await store.connection(wa.id, in: b.id) }
        await #expect(throws: InboxError.notFound(entity: "connection")) {
            try await store.updateConnection(wa.id, in: b.id, with: ConnectionPatch(active: false))
        }

        let patched = try await store.updateConnection(wa.id, in: a.id, with: ConnectionPatch(name: "Zap", kind: .api, active: false, secretHash: "h3"))
        #expect(patched == Connection(id: wa.id, workspaceID: a.id, kind: .api, name: "Zap", active: false))
        let credentials = try #require(try await store.connectionCredentials(wa.id))
        #expect(credentials.0 == patched && credentials.secretHash == "h3")
        #expect(try await store.connectionCredentials(ConnectionID(999)) == nil)
        #expect(try await store.connections(in: a.id) == [patched])
        #expect(try await store.connections(in: b.id).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func pipelines(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind), store = db.store
        let a = try await store.makeWorkspace("a"), b = try await store.makeWorkspace("b")
        let sales = try await store.createPipeline(name: "Vendas", stageNames: ["Novo", "Proposta", "Fechado"], in: a.id)
        #expect(sales.stages.map(\.name) == ["Novo", "Proposta", "Fechado"])
        #expect(sales.stages.map(\.position) == [0, 1, 2])
        await #expect(throws: InboxError.alreadyExists(field: "name")) { try await store.createPipeline(name: "Vendas", stageNames: [], in: a.id) }
        await #expect(throws: InboxError.invalidField(field: "stages", reason: "stage names must be distinct")) {
            try await store.createPipeline(name: "Dup", stageNames: ["A", "A"], in: a.id)
        }

        let added = try await store.addStage(name: "Qualificado", position: 1, to: sales.id, in: a.id)
        #expect(added.stages.map(\.name) == ["Novo", "Qualificado", "Proposta", "Fechado"])
        #expect(added.stages.map(\.position) == [0, 1, 2, 3])
        let appended = try await store.addStage(name: "Perdido", position: nil, to: sales.id, in: a.id)
        #expect(appended.stages.last?.name == "Perdido")
        await #expect(throws: InboxError.alreadyExists(field: "name")) { try await store.addStage(name: "Novo", position: nil, to: sales.id, in: a.id) }

        let first = sales.stages[0]
        let moved = try await store.updateStage(first.id, in: a.id, name: "Entrada", position: 99, active: false)
        #expect(moved.stages.map(\.name) == ["Qualificado", "Proposta", "Fechado", "Perdido", "Entrada"])
        #expect(moved.stages.last?.active == false)
        let renamed = try await store.updatePipeline(sales.id, in: a.id, name: "Comercial", active: false)
        #expect(renamed.name == "Comercial" && !renamed.active)
        #expect(try await store.pipelines(in: a.id) == [renamed])

        await #expect(throws: InboxError.notFound(entity: "pipeline")) { try await store.updatePipeline(sales.id, in: b.id, name: "X", active: nil) }
        await #expect(throws: InboxError.notFound(entity: "pipeline")) { try await store.addStage(name: "X", position: nil, to: sales.id, in: b.id) }
        await #expect(throws: InboxError.notFound(entity: "stage")) {
            try await store.updateStage(first.id, in: b.id, name: "X", position: nil, active: nil)
        }
        #expect(try await store.pipelines(in: b.id).isEmpty)
    }
}
