import InboxCore
import InboxStore
import Testing

@Suite("Store: outbound messages and delivery")
struct OutboundStoreTests {
    struct Setup {
        let db: TestDatabase
        let workspace: WorkspaceID
        let other: WorkspaceID
        let connection: ConnectionID
        let agent: Agent
        let conversation: ConversationID
        var store: SQLiteStore { db.store }

        init(_ kind: StoreKind) async throws {
            db = try TestDatabase(kind)
            let store = db.store
            workspace = try await store.makeWorkspace("a").id
            other = try await store.makeWorkspace("b").id
            connection = try await store.makeConnection(in: workspace).id
            agent = try await store.makeAgent("Bia", in: workspace)
            try await store.inbound("p1", from: "ana", on: connection, in: workspace)
            conversation = try await store.inbound("p2", from: "ana", on: connection, in: workspace).conversation.id
            db.clock.advance()
        }

        func sendFailedIDs() async throws -> [ConversationID] {
            let admin = Viewer(agentID: agent.id, workspaceID: workspace, role: .admin, departmentIDs: [])
            return try await store.listConversations(ConversationFilter(statuses: [.sendFailed]), viewer: admin, after: nil, limit: 50).items.map(\.id)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func agentReplyAwaitsCustomerAndReads(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let result = try await s.store.reply(s.conversation, in: s.workspace, by: .agent(s.agent.id), clientID: "c1", text: "Oi!")
        #expect(!result.duplicate && result.changes.map(\.kind) == [.messageAdded])
        #expect(result.message.direction == .outbound && result.message.deliveryStatus == .pending)
        #expect(result.message.authorAgentID == s.agent.id && result.message.authorName == "Bia" && !result.message.automated)
        let conversation = result.conversation
        #expect(conversation.awaitingReply && !conversation.automated && conversation.unreadCount == 0)
        #expect(conversation.lastActivityAt == s.db.clock.now && conversation.lastMessagePreview == "Oi!" && conversation.version == 3)
    }

    @Test(arguments: StoreKind.allCases)
    func automationReplySetsAutomated(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let bot = try await s.store.reply(s.conversation, in: s.workspace, by: .automation(name: "Bot"))
        #expect(bot.conversation.automated && bot.conversation.awaitingReply && bot.conversation.unreadCount == 2)
        #expect(bot.message.automated && bot.message.authorAgentID == nil && bot.message.authorName == "Bot")
        let human = try await s.store.reply(s.conversation, in: s.workspace, by: .agent(s.agent.id))
        #expect(!human.conversation.automated)
        let customer = try await s.store.inbound("p3", from: "ana", on: s.connection, in: s.workspace)
        #expect(!customer.conversation.awaitingReply)
    }

    @Test(arguments: StoreKind.allCases)
    func idempotentOnClientMessageID(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let first = try await s.store.reply(s.conversation, in: s.workspace, by: .agent(s.agent.id), clientID: "c1")
        let sequence = try await s.store.latestSequence(in: s.workspace)
        s.db.clock.advance()
        let again = try await s.store.reply(s.conversation, in: s.workspace, by: .agent(s.agent.id), clientID: "c1", text: "other")
        #expect(again.duplicate && again.changes.isEmpty && again.message == first.message && again.conversation == first.conversation)
        #expect(try await s.store.latestSequence(in: s.workspace) == sequence)
        let noKey1 = try await s.store.reply(s.conversation, in: s.workspace, by: .agent(s.agent.id))
        let noKey2 = try await s.store.reply(s.conversation, in: s.workspace, by: .agent(s.agent.id))
        #expect(!noKey1.duplicate && !noKey2.duplicate && noKey1.message.id != noKey2.message.id)
        // The same key in another conversation is another message.
        let bob = try await s.store.inbound("p9", from: "bob", on: s.connection, in: s.workspace).conversation.id
        #expect(try await !s.store.reply(bob, in: s.workspace, by: .agent(s.agent.id), clientID: "c1").duplicate)
    }

    @Test(arguments: StoreKind.allCases)
    func rejectsForeignOrInactiveAuthorsAndConversations(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let foreigner = try await s.store.makeAgent("Zé", in: s.other)
        await #expect(throws: InboxError.invalidReference(field: "author")) {
            try await s.store.reply(s.conversation, in: s.workspace, by: .agent(foreigner.id))
        }
        await #expect(throws: InboxError.notFound(entity: "conversation")) {
            try await s.store.reply(s.conversation, in: s.other, by: .agent(foreigner.id))
        }
        _ = try await s.store.updateAgent(s.agent.id, in: s.workspace, with: AgentPatch(active: false))
        await #expect(throws: InboxError.invalidReference(field: "author")) {
            try await s.store.reply(s.conversation, in: s.workspace, by: .agent(s.agent.id))
        }
        await #expect(throws: InboxError.invalidField(field: "author", reason: "must not be empty")) {
            try await s.store.reply(s.conversation, in: s.workspace, by: .automation(name: " "))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func failedDeliveryFlagsAndListsUntilResentOrFinished(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let sent = try await s.store.reply(s.conversation, in: s.workspace, by: .agent(s.agent.id))
        let failed = try await s.store.updateDelivery(DeliveryUpdate(messageID: sent.message.id, status: .failed, failureReason: "blocked"), in: s.workspace)
        #expect(failed.conversation.sendFailed && failed.message.deliveryStatus == .failed && failed.message.failureReason == "blocked")
        #expect(failed.changes.map(\.kind) == [.messageUpdated] && failed.changes.first?.messageID == sent.message.id)
        #expect(try await s.sendFailedIDs() == [s.conversation])

        // A late "failed" again is not accepted and changes nothing.
        let repeatFailure = try await s.store.updateDelivery(DeliveryUpdate(messageID: sent.message.id, status: .failed), in: s.workspace)
        #expect(repeatFailure.duplicate && repeatFailure.changes.isEmpty)

        let resent = try await s.store.updateDelivery(DeliveryUpdate(messageID: sent.message.id, status: .delivered, providerMessageID: "wamid"), in: s.workspace)
        #expect(!resent.conversation.sendFailed && resent.message.failureReason == nil && resent.message.providerMessageID == "wamid")
        #expect(try await s.sendFailedIDs().isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func finishDismissesFailures(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let sent = try await s.store.reply(s.conversation, in: s.workspace, by: .agent(s.agent.id))
        _ = try await s.store.updateDelivery(DeliveryUpdate(messageID: sent.message.id, status: .failed), in: s.workspace)
        let finished = try await s.store.finish(s.conversation, in: s.workspace)
        #expect(!finished.value.sendFailed && !finished.value.awaitingReply && finished.value.status == .finished)
        #expect(try await s.sendFailedIDs().isEmpty)
        #expect(try await s.store.finish(s.conversation, in: s.workspace).changes.isEmpty) // already finished
        let reopened = try await s.store.reopen(s.conversation, in: s.workspace)
        #expect(reopened.value.status == .open && !reopened.value.sendFailed && reopened.changes.map(\.kind) == [.reopened])
        #expect(try await s.store.reopen(s.conversation, in: s.workspace).changes.isEmpty) // already open
        // Another message's report does not resurrect the dismissed failure.
        let next = try await s.store.reply(s.conversation, in: s.workspace, by: .agent(s.agent.id))
        let ok = try await s.store.updateDelivery(DeliveryUpdate(messageID: next.message.id, status: .sent), in: s.workspace)
        #expect(!ok.conversation.sendFailed)
        await #expect(throws: InboxError.notFound(entity: "conversation")) { try await s.store.finish(s.conversation, in: s.other) }
    }

    @Test(arguments: StoreKind.allCases)
    func deliveryUpdateIsScoped(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let sent = try await s.store.reply(s.conversation, in: s.workspace, by: .agent(s.agent.id))
        let inbound = try await s.store.inbound("p5", from: "ana", on: s.connection, in: s.workspace)
        await #expect(throws: InboxError.notFound(entity: "message")) {
            try await s.store.updateDelivery(DeliveryUpdate(messageID: sent.message.id, status: .sent), in: s.other)
        }
        await #expect(throws: InboxError.notFound(entity: "message")) {
            try await s.store.updateDelivery(DeliveryUpdate(messageID: sent.message.id, status: .sent, connectionID: ConnectionID(999)), in: s.workspace)
        }
        await #expect(throws: InboxError.invalidField(field: "messageId", reason: "delivery status applies to outbound messages only")) {
            try await s.store.updateDelivery(DeliveryUpdate(messageID: inbound.message.id, status: .read), in: s.workspace)
        }
        let through = try await s.store.updateDelivery(DeliveryUpdate(messageID: sent.message.id, status: .sent, connectionID: s.connection), in: s.workspace)
        #expect(through.message.deliveryStatus == .sent)
        let back = try await s.store.updateDelivery(DeliveryUpdate(messageID: sent.message.id, status: .pending), in: s.workspace)
        #expect(back.duplicate && back.message.deliveryStatus == .sent)
    }
}
