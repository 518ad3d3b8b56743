import InboxCore
import InboxStore
import Testing

@Suite("Store: leads pushed by the CRM")
struct LeadStoreTests {
    @Test(arguments: StoreKind.allCases)
    func contactUpdatesReflectOnAllConversations(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind), store = db.store
        let a = try await store.makeWorkspace("a").id
        let wa = try await store.makeConnection(in: a).id, ig = try await store.makeConnection("Instagram", in: a).id
        let vip = try await store.createTag(name: "VIP", color: "#f00", in: a).id
        let late = try await store.createTag(name: "Late", color: "#0f0", in: a).id
        let sales = try await store.createDepartment(name: "Vendas", in: a).id
        let support = try await store.createDepartment(name: "Suporte", in: a).id

        let created = try await store.upsertContact(
            ContactUpsert(externalID: "crm-1", name: "Ana", handles: [.init(connectionID: wa, handle: "ana"), .init(connectionID: ig, handle: "@ana")],
                          tagIDs: [vip], departmentIDs: [sales]), in: a)
        #expect(created.changes.isEmpty && created.value.externalID == "crm-1" && created.value.tagIDs == [vip])
        let c1 = try await store.inbound("p1", from: "ana", on: wa, in: a).conversation
        let c2 = try await store.inbound("p2", from: "@ana", on: ig, in: a).conversation
        #expect(c1.contactID == created.value.id && c2.contactID == created.value.id)
        #expect(c1.tagIDs == [vip] && c1.departmentIDs == [sales] && c1.contactName == "Ana")

        let updated = try await store.upsertContact(
            ContactUpsert(externalID: "crm-1", name: "Ana Souza", tagIDs: [late, vip], departmentIDs: [support]), in: a)
        #expect(updated.value.id == created.value.id && updated.value.handles.count == 2) // nil handles keep them
        #expect(Set(updated.changes.map(\.conversation.id)) == [c1.id, c2.id] && updated.changes.allSatisfy { $0.kind == .leadUpdated })
        for before in [c1, c2] {
            let after = try await store.conversation(before.id, in: a)
            #expect(after.tagIDs == [vip, late].sorted() && after.departmentIDs == [support] && after.contactName == "Ana Souza")
            #expect(after.version == before.version + 1)
        }
        let same = try await store.upsertContact(ContactUpsert(externalID: "crm-1", name: "Ana Souza"), in: a)
        #expect(same.changes.isEmpty) // nothing differs: no version bump, no log entry
    }

    @Test(arguments: StoreKind.allCases)
    func departmentTransferSurvivesUnrelatedLeadUpdates(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind), store = db.store
        let a = try await store.makeWorkspace("a").id
        let wa = try await store.makeConnection(in: a).id
        let sales = try await store.createDepartment(name: "Vendas", in: a).id
        let support = try await store.createDepartment(name: "Suporte", in: a).id
        let tag = try await store.createTag(name: "T", color: "#123", in: a).id
        _ = try await store.upsertContact(ContactUpsert(externalID: "x", name: "Ana", handles: [.init(connectionID: wa, handle: "ana")], departmentIDs: [sales]), in: a)
        let id = try await store.inbound("p1", from: "ana", on: wa, in: a).conversation.id
        let moved = try await store.assign(AssignmentChange(conversationID: id, condition: .init(), assigneeID: nil, departmentIDs: [support]), in: a)
        #expect(moved.changed?.departmentIDs == [support])
        _ = try await store.upsertContact(ContactUpsert(externalID: "x", name: "Ana", tagIDs: [tag]), in: a)
        let after = try await store.conversation(id, in: a)
        #expect(after.departmentIDs == [support] && after.tagIDs == [tag])
    }

    @Test(arguments: StoreKind.allCases)
    func dealStagesReflectOnConversations(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind), store = db.store
        let a = try await store.makeWorkspace("a").id
        let wa = try await store.makeConnection(in: a).id
        let stages = try await store.createPipeline(name: "Vendas", stageNames: ["Novo", "Proposta"], in: a).stages.map(\.id)
        let ana = try await store.inbound("p1", from: "ana", on: wa, in: a).conversation
        let bob = try await store.inbound("p2", from: "bob", on: wa, in: a).conversation

        let deal = try await store.upsertDeal(DealUpsert(externalID: "d1", contact: .id(ana.contactID), stageID: stages[0], title: "Plano", valueCents: 990), in: a)
        #expect(deal.value.stageID == stages[0] && deal.value.contactID == ana.contactID && deal.value.valueCents == 990)
        #expect(deal.changes.map(\.conversation.id) == [ana.id] && deal.changes.first?.kind == .leadUpdated)
        let afterDeal = try await store.conversation(ana.id, in: a)
        #expect(afterDeal.stageIDs == [stages[0]] && afterDeal.version == ana.version + 1)

        _ = try await store.upsertDeal(DealUpsert(externalID: "d2", contact: .id(ana.contactID), stageID: stages[1], title: "Extra", valueCents: nil), in: a)
        #expect(try await store.conversation(ana.id, in: a).stageIDs == stages.sorted())
        #expect(try await store.deals(of: ana.contactID, in: a).map(\.externalID) == ["d1", "d2"])

        // Moving a deal to another lead updates both leads' conversations.
        let move = try await store.upsertDeal(DealUpsert(externalID: "d2", contact: .id(bob.contactID), stageID: stages[1], title: "Extra", valueCents: nil), in: a)
        #expect(Set(move.changes.map(\.conversation.id)) == [ana.id, bob.id])
        #expect(try await store.conversation(ana.id, in: a).stageIDs == [stages[0]])
        #expect(try await store.conversation(bob.id, in: a).stageIDs == [stages[1]])
    }

    @Test(arguments: StoreKind.allCases)
    func crossWorkspaceReferencesAreRejected(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind), store = db.store
        let a = try await store.makeWorkspace("a").id, b = try await store.makeWorkspace("b").id
        let foreignTag = try await store.createTag(name: "T", color: "#123", in: b).id
        let foreignDepartment = try await store.createDepartment(name: "D", in: b).id
        let foreignConnection = try await store.makeConnection(in: b).id
        let foreignStage = try await store.createPipeline(name: "P", stageNames: ["S"], in: b).stages[0].id
        let localStage = try await store.createPipeline(name: "P", stageNames: ["S"], in: a).stages[0].id
        let foreignContact = try await store.upsertContact(ContactUpsert(externalID: "b-1", name: "Bob"), in: b).value

        await #expect(throws: InboxError.invalidReference(field: "tagIds")) {
            try await store.upsertContact(ContactUpsert(externalID: "x", name: "X", tagIDs: [foreignTag]), in: a)
        }
        await #expect(throws: InboxError.invalidReference(field: "departmentIds")) {
            try await store.upsertContact(ContactUpsert(externalID: "x", name: "X", departmentIDs: [foreignDepartment]), in: a)
        }
        await #expect(throws: InboxError.invalidReference(field: "handles.connectionId")) {
            try await store.upsertContact(ContactUpsert(externalID: "x", name: "X", handles: [.init(connectionID: foreignConnection, handle: "h")]), in: a)
        }
        let local = try await store.upsertContact(ContactUpsert(externalID: "x", name: "X"), in: a).value
        await #expect(throws: InboxError.invalidReference(field: "stageId")) {
            try await store.upsertDeal(DealUpsert(externalID: "d", contact: .id(local.id), stageID: foreignStage, title: "D", valueCents: nil), in: a)
        }
        await #expect(throws: InboxError.invalidReference(field: "contactId")) {
            try await store.upsertDeal(DealUpsert(externalID: "d", contact: .id(foreignContact.id), stageID: localStage, title: "D", valueCents: nil), in: a)
        }
        await #expect(throws: InboxError.invalidReference(field: "contactExternalId")) {
            try await store.upsertDeal(DealUpsert(externalID: "d", contact: .externalID("b-1"), stageID: localStage, title: "D", valueCents: nil), in: a)
        }
        let byExternal = try await store.upsertDeal(DealUpsert(externalID: "d", contact: .externalID("x"), stageID: localStage, title: "D", valueCents: nil), in: a)
        #expect(byExternal.value.contactID == local.id)
        await #expect(throws: InboxError.notFound(entity: "contact")) { try await store.contact(foreignContact.id, in: a) }
        await #expect(throws: InboxError.notFound(entity: "contact")) { try await store.deals(of: foreignContact.id, in: a) }
        #expect(try await store.contact(local.id, in: a) == local)
    }

    @Test(arguments: StoreKind.allCases)
    func handleHeldByAnotherContactIsTaken(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind), store = db.store
        let a = try await store.makeWorkspace("a").id
        let wa = try await store.makeConnection(in: a).id
        _ = try await store.upsertContact(ContactUpsert(externalID: "1", name: "Ana", handles: [.init(connectionID: wa, handle: "ana")]), in: a)
        await #expect(throws: InboxError.alreadyExists(field: "handles")) {
            try await store.upsertContact(ContactUpsert(externalID: "2", name: "Other", handles: [.init(connectionID: wa, handle: "ana")]), in: a)
        }
    }
}
