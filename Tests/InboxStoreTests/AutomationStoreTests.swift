import InboxCore
import InboxStore
import Testing

@Suite("Store: automations and recorded runs")
struct AutomationStoreTests {
    struct Setup {
        let db: TestDatabase
        let workspace: WorkspaceID
        let other: WorkspaceID
        let bia: Agent
        let caio: Agent
        let conversations: [ConversationID]
        var store: SQLiteStore { db.store }

        init(_ kind: StoreKind) async throws {
            db = try TestDatabase(kind)
            let store = db.store
            workspace = try await store.makeWorkspace("a").id
            other = try await store.makeWorkspace("b").id
            let connection = try await store.makeConnection(in: workspace).id
            bia = try await store.makeAgent("Bia", in: workspace)
            caio = try await store.makeAgent("Caio", in: workspace)
            var ids: [ConversationID] = []
            for handle in ["ana", "bob", "cid"] {
                ids.append(try await store.inbound("p-\(handle)", from: handle, on: connection, in: workspace).conversation.id)
            }
            conversations = ids
            db.clock.advance()
        }

        func create(_ name: String, _ trigger: AutomationTrigger, _ actions: [AutomationAction] = [.init(type: .finish)], active: Bool = true) async throws -> Automation {
            try await store.createAutomation(AutomationDraft(name: name, trigger: trigger, actions: actions, active: active), in: workspace)
        }

        /// The field of the `invalidField` error a draft is refused with (nil when it is accepted or refused otherwise).
        func refusedField(_ trigger: AutomationTrigger, _ actions: [AutomationAction]) async -> String? {
            do {
                _ = try await store.createAutomation(AutomationDraft(name: "Refused", trigger: trigger, actions: actions), in: workspace)
                return nil
            } catch let error as InboxError {
                guard case .invalidField(let field, _) = error else { return "unexpected \(error)" }
                return field
            } catch {
                return "unexpected \(error)"
            }
        }

        func begin(by agent: Agent?, key: String?, action: BulkAction = BulkAction(type: .finish), trigger: AutomationTriggerKind? = nil,
                   conversations ids: [ConversationID]? = nil) async throws -> (run: ActionRun, existing: Bool) {
            try await store.beginRun(
                RunDraft(agentID: agent?.id, idempotencyKey: key, action: action, trigger: trigger, conversationIDs: ids ?? conversations), in: workspace)
        }
    }

    // MARK: Automations

    @Test(arguments: StoreKind.allCases)
    func createGetListAndFilterByTrigger(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let vip = try await s.store.createTag(name: "VIP", color: "#f00", in: s.workspace).id
        let welcome = try await s.create(
            "Welcome", AutomationTrigger(kind: .newConversation),
            [.init(type: .sendMessage, text: "Oi {{contact.first_name}}, aqui é {{ agent.name }}!"), .init(type: .addTag, tagID: vip)])
        #expect(welcome.name == "Welcome" && welcome.workspaceID == s.workspace && welcome.active && welcome.createdAt == s.db.clock.now)
        #expect(welcome.trigger == AutomationTrigger(kind: .newConversation) && welcome.actions.map(\.type) == [.sendMessage, .addTag])
        #expect(welcome.actions[0].text == "Oi {{contact.first_name}}, aqui é {{ agent.name }}!" && welcome.actions[1].tagID == vip)
        #expect(try await s.store.automation(welcome.id, in: s.workspace) == welcome)

        let pricing = try await s.create("Pricing", AutomationTrigger(kind: .keyword, keywords: ["Preço", "valor", "PRECO"]))
        #expect(pricing.trigger.keywords == ["preco", "valor"]) // folded, deduplicated, sorted
        #expect(try await s.store.automation(pricing.id, in: s.workspace) == pricing)
        let cleanup = try await s.create("Cleanup", AutomationTrigger(kind: .manual))
        let dormant = try await s.create("Dormant", AutomationTrigger(kind: .newConversation), active: false)
        #expect(!dormant.active)

        #expect(try await s.store.automations(in: s.workspace) == [cleanup, dormant, pricing, welcome]) // by name
        #expect(try await s.store.automations(triggeredBy: .newConversation, in: s.workspace) == [welcome])
        #expect(try await s.store.automations(triggeredBy: .keyword, in: s.workspace) == [pricing])
        #expect(try await s.store.automations(triggeredBy: .manual, in: s.workspace) == [cleanup])

        // Another workspace sees none of them.
        #expect(try await s.store.automations(in: s.other).isEmpty)
        #expect(try await s.store.automations(triggeredBy: .newConversation, in: s.other).isEmpty)
        await #expect(throws: InboxError.notFound(entity: "automation")) { try await s.store.automation(welcome.id, in: s.other) }
    }

    @Test(arguments: StoreKind.allCases)
    func updateReplacesTheWholeAutomation(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let welcome = try await s.create("Welcome", AutomationTrigger(kind: .newConversation), [.init(type: .sendMessage, text: "Oi")])
        let dormant = try await s.create("Dormant", AutomationTrigger(kind: .newConversation), active: false)
        s.db.clock.advance()

        let edited = try await s.store.updateAutomation(
            welcome.id, in: s.workspace,
            with: AutomationDraft(name: "  Hello  ", trigger: AutomationTrigger(kind: .keyword, keywords: ["oi"]), actions: [.init(type: .finish)], active: false))
        #expect(edited.id == welcome.id && edited.name == "Hello" && !edited.active && edited.createdAt == welcome.createdAt)
        #expect(edited.trigger == AutomationTrigger(kind: .keyword, keywords: ["oi"]) && edited.actions == [.init(type: .finish)])
        #expect(try await s.store.automation(welcome.id, in: s.workspace) == edited)
        #expect(try await s.store.automations(triggeredBy: .newConversation, in: s.workspace).isEmpty)
        #expect(try await s.store.automations(triggeredBy: .keyword, in: s.workspace).isEmpty) // inactive

        let woken = try await s.store.updateAutomation(
            dormant.id, in: s.workspace, with: AutomationDraft(name: "Dormant", trigger: dormant.trigger, actions: dormant.actions, active: true))
        #expect(try await s.store.automations(triggeredBy: .newConversation, in: s.workspace) == [woken])

        await #expect(throws: InboxError.notFound(entity: "automation")) {
            try await s.store.updateAutomation(welcome.id, in: s.other, with: AutomationDraft(name: "X", trigger: .init(kind: .manual), actions: [.init(type: .finish)]))
        }
        #expect(try await s.store.automation(welcome.id, in: s.workspace) == edited)
    }

    @Test(arguments: StoreKind.allCases)
    func namesAreUniquePerWorkspace(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let first = try await s.create("Welcome", AutomationTrigger(kind: .manual))
        let second = try await s.create("Bye", AutomationTrigger(kind: .manual))
        await #expect(throws: InboxError.alreadyExists(field: "name")) {
            try await s.create("Welcome", AutomationTrigger(kind: .newConversation))
        }
        await #expect(throws: InboxError.alreadyExists(field: "name")) {
            try await s.store.updateAutomation(second.id, in: s.workspace, with: AutomationDraft(name: "Welcome", trigger: .init(kind: .manual), actions: [.init(type: .finish)]))
        }
        #expect(try await s.store.automations(in: s.workspace) == [second, first])
        // Another workspace may use the name.
        let elsewhere = try await s.store.createAutomation(
            AutomationDraft(name: "Welcome", trigger: .init(kind: .manual), actions: [.init(type: .finish)]), in: s.other)
        #expect(elsewhere.workspaceID == s.other && elsewhere.id != first.id)
    }

    @Test(arguments: StoreKind.allCases)
    func invalidDraftsAreRefusedAndNothingIsStored(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let finish = [AutomationAction(type: .finish)]
        #expect(await s.refusedField(.init(kind: .keyword), finish) == "trigger.keywords")
        #expect(await s.refusedField(.init(kind: .keyword, keywords: []), finish) == "trigger.keywords")
        #expect(await s.refusedField(.init(kind: .keyword, keywords: [" ", "!?"]), finish) == "trigger.keywords")
        #expect(await s.refusedField(.init(kind: .manual, keywords: ["oi"]), finish) == "trigger.keywords")
        #expect(await s.refusedField(.init(kind: .newConversation, keywords: []), finish) == "trigger.keywords")
        #expect(await s.refusedField(.init(kind: .manual), []) == "actions")
        #expect(await s.refusedField(.init(kind: .manual), Array(repeating: AutomationAction(type: .finish), count: Automation.maxActions + 1)) == "actions")
        #expect(await s.refusedField(.init(kind: .manual), [.init(type: .sendMessage)]) == "actions[0].text")
        #expect(await s.refusedField(.init(kind: .manual), [.init(type: .sendMessage, text: "   ")]) == "actions[0].text")
        #expect(await s.refusedField(.init(kind: .manual), [.init(type: .sendMessage, text: "Oi {{foo}}")]) == "actions[0].text")
        #expect(await s.refusedField(.init(kind: .manual), [.init(type: .sendMessage, text: "Oi {{contact.name")]) == "actions[0].text")
        #expect(await s.refusedField(.init(kind: .manual), [.init(type: .finish), .init(type: .addTag)]) == "actions[1].tagId")
        #expect(await s.refusedField(.init(kind: .manual), [.init(type: .finish, text: "bye")]) == "actions[0].text")
        #expect(await s.refusedField(.init(kind: .manual), [.init(type: .transfer)]) == "actions[0]")

        let foreignTag = try await s.store.createTag(name: "T", color: "#123", in: s.other).id
        await #expect(throws: InboxError.invalidReference(field: "actions[0].tagId")) {
            try await s.create("Tagger", .init(kind: .manual), [.init(type: .addTag, tagID: foreignTag)])
        }
        let foreignStage = try await s.store.createPipeline(name: "P", stageNames: ["S"], in: s.other).stages[0].id
        await #expect(throws: InboxError.invalidReference(field: "actions[1].stageId")) {
            try await s.create("Mover", .init(kind: .manual), [.init(type: .finish), .init(type: .moveStage, stageID: foreignStage)])
        }
        let valid = try await s.create("Valid", .init(kind: .manual))
        await #expect(throws: InboxError.invalidReference(field: "actions[0].tagId")) {
            try await s.store.updateAutomation(valid.id, in: s.workspace, with: AutomationDraft(name: "Valid", trigger: .init(kind: .manual), actions: [.init(type: .addTag, tagID: foreignTag)]))
        }
        #expect(try await s.store.automations(in: s.workspace) == [valid])
    }

    // MARK: Runs

    @Test(arguments: StoreKind.allCases)
    func beginRunRecordsARunOncePerAgentAndKey(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let begun = try await s.begin(by: s.bia, key: "k1")
        #expect(!begun.existing)
        let run = begun.run
        #expect(run.status == .running && run.total == s.conversations.count && run.counts.isEmpty && run.processed == 0)
        #expect(run.agentID == s.bia.id && run.idempotencyKey == "k1" && run.action == BulkAction(type: .finish) && run.workspaceID == s.workspace)
        #expect(run.createdAt == s.db.clock.now && run.finishedAt == nil)

        s.db.clock.advance()
        let again = try await s.begin(by: s.bia, key: "k1", action: BulkAction(type: .transfer, agentID: s.caio.id), conversations: [s.conversations[0]])
        #expect(again.existing && again.run.id == run.id && again.run.total == run.total && again.run.action == run.action)
        #expect(again.run.createdAt == run.createdAt)

        let caios = try await s.begin(by: s.caio, key: "k1")
        #expect(!caios.existing && caios.run.id != run.id && caios.run.agentID == s.caio.id)
        let unkeyed1 = try await s.begin(by: s.bia, key: nil)
        let unkeyed2 = try await s.begin(by: s.bia, key: nil)
        #expect(!unkeyed1.existing && !unkeyed2.existing && unkeyed1.run.id != unkeyed2.run.id)
        #expect(Set([run.id, caios.run.id, unkeyed1.run.id, unkeyed2.run.id]).count == 4)
        // The same key in another workspace names another run.
        let elsewhere = try await s.store.beginRun(
            RunDraft(agentID: s.bia.id, idempotencyKey: "k1", action: BulkAction(type: .finish), trigger: nil, conversationIDs: []), in: s.other)
        #expect(!elsewhere.existing && elsewhere.run.id != run.id && elsewhere.run.total == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func itemsKeepTheirOrderAndAreCounted(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let run = try await s.begin(by: s.bia, key: "k").run
        let c = s.conversations
        let firstBatch = [RunItem(conversationID: c[2], outcome: .done), RunItem(conversationID: c[0], outcome: .skipped, reason: "assignee_changed")]
        let secondBatch = [RunItem(conversationID: c[1], outcome: .done), RunItem(conversationID: ConversationID(9_999), outcome: .notFound)]
        try await s.store.recordRunItems(firstBatch, of: run.id, in: s.workspace)
        let midway = try await s.store.run(run.id, in: s.workspace)
        #expect(midway.items == firstBatch && midway.counts == [.done: 1, .skipped: 1] && midway.processed == 2 && midway.status == .running)
        try await s.store.recordRunItems([], of: run.id, in: s.workspace)
        try await s.store.recordRunItems(secondBatch, of: run.id, in: s.workspace)

        let loaded = try await s.store.run(run.id, in: s.workspace)
        #expect(loaded.items == firstBatch + secondBatch)
        #expect(loaded.counts == [.done: 2, .skipped: 1, .notFound: 1] && loaded.processed == 4 && loaded.total == 3)
        #expect(loaded.id == run.id && loaded.status == .running && loaded.createdAt == run.createdAt)
        // The idempotent replay reports the progress too.
        #expect(try await s.begin(by: s.bia, key: "k").run.counts == loaded.counts)
    }

    @Test(arguments: StoreKind.allCases)
    func finishRunClosesItOnce(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let run = try await s.begin(by: s.bia, key: "k").run
        try await s.store.recordRunItems([RunItem(conversationID: s.conversations[0], outcome: .forbidden)], of: run.id, in: s.workspace)
        s.db.clock.advance(by: 5_000)
        let finishedAt = s.db.clock.now
        let finished = try await s.store.finishRun(run.id, in: s.workspace)
        #expect(finished.status == .done && finished.finishedAt == finishedAt && finished.createdAt == run.createdAt)
        #expect(finished.counts == [.forbidden: 1])
        let loaded = try await s.store.run(run.id, in: s.workspace)
        #expect(loaded.status == .done && loaded.finishedAt == finishedAt && loaded.items == [RunItem(conversationID: s.conversations[0], outcome: .forbidden)])
        s.db.clock.advance()
        #expect(try await s.store.finishRun(run.id, in: s.workspace).finishedAt == finishedAt) // the first finish stands
    }

    @Test(arguments: StoreKind.allCases)
    func runsOfAnotherWorkspaceAreNotFound(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let run = try await s.begin(by: s.bia, key: "k").run
        await #expect(throws: InboxError.notFound(entity: "run")) { try await s.store.run(run.id, in: s.other) }
        await #expect(throws: InboxError.notFound(entity: "run")) {
            try await s.store.recordRunItems([RunItem(conversationID: s.conversations[0], outcome: .done)], of: run.id, in: s.other)
        }
        await #expect(throws: InboxError.notFound(entity: "run")) { try await s.store.finishRun(run.id, in: s.other) }
        await #expect(throws: InboxError.notFound(entity: "run")) { try await s.store.run(RunID(run.id.rawValue + 100), in: s.workspace) }
        let untouched = try await s.store.run(run.id, in: s.workspace)
        #expect(untouched.status == .running && untouched.finishedAt == nil && untouched.items == [])
        await #expect(throws: InboxError.notFound(entity: "workspace")) {
            try await s.store.beginRun(
                RunDraft(agentID: nil, idempotencyKey: nil, action: BulkAction(type: .finish), trigger: nil, conversationIDs: []), in: WorkspaceID(9_999))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func runsOfAnAutomationNewestFirst(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let welcome = try await s.create("Welcome", AutomationTrigger(kind: .newConversation))
        let cleanup = try await s.create("Cleanup", AutomationTrigger(kind: .manual))
        var welcomeRuns: [RunID] = []
        for (index, conversation) in s.conversations.enumerated() {
            s.db.clock.advance()
            welcomeRuns.append(try await s.begin(
                by: nil, key: nil, action: BulkAction(type: .automation, automationID: welcome.id), trigger: .newConversation,
                conversations: [conversation]).run.id)
            if index == 0 {
                _ = try await s.begin(by: s.bia, key: "bulk", action: BulkAction(type: .automation, automationID: cleanup.id), trigger: .manual)
                _ = try await s.begin(by: s.bia, key: "plain") // a bulk finish: no automation
            }
        }

        let listed = try await s.store.runs(of: welcome.id, in: s.workspace, limit: 10)
        #expect(listed.map(\.id) == welcomeRuns.reversed())
        #expect(listed.allSatisfy { $0.trigger == .newConversation && $0.agentID == nil && $0.action.automationID == welcome.id && $0.total == 1 })
        #expect(listed.map(\.createdAt) == listed.map(\.createdAt).sorted(by: >))
        #expect(listed.allSatisfy { $0.items == nil }) // lists carry no items
        #expect(try await s.store.runs(of: welcome.id, in: s.workspace, limit: 2).map(\.id) == Array(welcomeRuns.reversed().prefix(2)))
        let manual = try await s.store.runs(of: cleanup.id, in: s.workspace, limit: 10)
        #expect(manual.count == 1 && manual.first?.trigger == .manual && manual.first?.agentID == s.bia.id)
        await #expect(throws: InboxError.notFound(entity: "automation")) { try await s.store.runs(of: welcome.id, in: s.other, limit: 10) }
    }

    @Test(arguments: StoreKind.allCases)
    func abandonedRunsAreFinished(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let done = try await s.begin(by: s.bia, key: "done").run
        s.db.clock.advance()
        let doneAt = try await s.store.finishRun(done.id, in: s.workspace).finishedAt
        let left1 = try await s.begin(by: s.bia, key: "left1").run
        let left2 = try await s.store.beginRun(
            RunDraft(agentID: nil, idempotencyKey: nil, action: BulkAction(type: .finish), trigger: nil, conversationIDs: []), in: s.other).run
        try await s.store.recordRunItems([RunItem(conversationID: s.conversations[0], outcome: .done)], of: left1.id, in: s.workspace)
        s.db.clock.advance()

        #expect(try await s.store.finishAbandonedRuns() == 2)
        let closed1 = try await s.store.run(left1.id, in: s.workspace)
        let closed2 = try await s.store.run(left2.id, in: s.other)
        #expect(closed1.status == .done && closed1.finishedAt == s.db.clock.now && closed1.counts == [.done: 1])
        #expect(closed2.status == .done && closed2.finishedAt == s.db.clock.now)
        #expect(try await s.store.run(done.id, in: s.workspace).finishedAt == doneAt) // an already finished run is left alone
        #expect(try await s.store.finishAbandonedRuns() == 0)
    }
}
