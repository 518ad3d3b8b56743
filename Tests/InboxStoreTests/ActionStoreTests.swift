import InboxCore
import InboxStore
import Testing

@Suite("Store: conversation actions (versioned finish/reopen, traffic cop, resend, dismiss, lead tags and stages)")
struct ActionStoreTests {
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
            conversation = try await store.inbound("p1", from: "ana", on: connection, in: workspace).conversation.id
            db.clock.advance()
        }

        var author: OutboundAuthor { .agent(agent.id) }

        func current() async throws -> Conversation { try await store.conversation(conversation, in: workspace) }

        func send(clientID: String? = nil, seen: Int64?, text: String = "reply") async throws -> MessageResult {
            try await store.sendOutbound(
                OutboundMessage(author: author, clientMessageID: clientID, text: text, seenVersion: seen), to: conversation, in: workspace)
        }

        func messageCount() async throws -> Int {
            try await store.messages(of: conversation, in: workspace, before: nil, limit: 1_000).count
        }

        func failedReply() async throws -> Message {
            let sent = try await store.reply(conversation, in: workspace, by: author)
            return try await store.updateDelivery(DeliveryUpdate(messageID: sent.message.id, status: .failed, failureReason: "blocked"), in: workspace).message
        }

        func stored(_ id: MessageID) async throws -> Message {
            try #require(try await store.messages(ids: [id], in: workspace).first)
        }

        func sendFailedIDs() async throws -> [ConversationID] {
            let admin = Viewer(agentID: agent.id, workspaceID: workspace, role: .admin, departmentIDs: [])
            return try await store.listConversations(ConversationFilter(statuses: [.sendFailed]), viewer: admin, after: nil, limit: 50).items.map(\.id)
        }
    }

    // MARK: finish / reopen with ifVersion

    @Test(arguments: StoreKind.allCases)
    func finishAndReopenApplyOnlyAtTheSeenVersion(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let before = try await s.current()
        let sequence = try await s.store.latestSequence(in: s.workspace)

        await #expect(throws: InboxError.conflict(reason: "version_changed")) {
            try await s.store.finish(s.conversation, in: s.workspace, ifVersion: before.version - 1)
        }
        await #expect(throws: InboxError.conflict(reason: "version_changed")) {
            try await s.store.finish(s.conversation, in: s.workspace, ifVersion: before.version + 1)
        }
        #expect(try await s.current() == before)
        #expect(try await s.store.latestSequence(in: s.workspace) == sequence)

        let finished = try await s.store.finish(s.conversation, in: s.workspace, ifVersion: before.version)
        #expect(finished.value.status == .finished && finished.value.version == before.version + 1)
        #expect(finished.changes.map(\.kind) == [.finished] && finished.changes.first?.sequence == sequence + 1)
        #expect(try await s.store.latestSequence(in: s.workspace) == sequence + 1)
        #expect(try await s.current() == finished.value)

        // The version the finish was checked against is stale now.
        await #expect(throws: InboxError.conflict(reason: "version_changed")) {
            try await s.store.reopen(s.conversation, in: s.workspace, ifVersion: before.version)
        }
        #expect(try await s.current() == finished.value)
        #expect(try await s.store.latestSequence(in: s.workspace) == sequence + 1)

        let reopened = try await s.store.reopen(s.conversation, in: s.workspace, ifVersion: finished.value.version)
        #expect(reopened.value.status == .open && reopened.value.version == finished.value.version + 1)
        #expect(reopened.changes.map(\.kind) == [.reopened])
        #expect(try await s.store.latestSequence(in: s.workspace) == sequence + 2)
        #expect(try await s.store.allChanges(in: s.workspace).suffix(2).map(\.kind) == [.finished, .reopened])
    }

    @Test(arguments: StoreKind.allCases)
    func finishAndReopenWithoutVersionBehaveAsBefore(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let before = try await s.current()
        _ = try await s.store.inbound("p2", from: "ana", on: s.connection, in: s.workspace) // moves the version on
        let finished = try await s.store.finish(s.conversation, in: s.workspace, ifVersion: nil)
        #expect(finished.value.status == .finished && finished.value.version == before.version + 2 && finished.changes.count == 1)
        let again = try await s.store.finish(s.conversation, in: s.workspace, ifVersion: nil)
        #expect(again.changes.isEmpty && again.value == finished.value)
        let reopened = try await s.store.reopen(s.conversation, in: s.workspace, ifVersion: nil)
        #expect(reopened.value.status == .open && reopened.changes.map(\.kind) == [.reopened])
        await #expect(throws: InboxError.notFound(entity: "conversation")) {
            try await s.store.finish(s.conversation, in: s.other, ifVersion: reopened.value.version)
        }
    }

    // MARK: Traffic cop

    @Test(arguments: StoreKind.allCases)
    func replyWrittenBeforeTheCustomersLatestMessageIsNotSent(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let seenFirst = try await s.current().version
        _ = try await s.send(seen: seenFirst) // nothing newer: sent
        let inbound = try await s.store.inbound("p2", from: "ana", on: s.connection, in: s.workspace)
        let v = inbound.conversation.version
        #expect(v > seenFirst)

        let count = try await s.messageCount()
        let sequence = try await s.store.latestSequence(in: s.workspace)
        await #expect(throws: InboxError.newerInbound(latestInboundVersion: v)) {
            try await s.send(clientID: "late", seen: v - 1)
        }
        #expect(try await s.messageCount() == count)
        #expect(try await s.store.latestSequence(in: s.workspace) == sequence)
        #expect(try await s.current() == inbound.conversation)

        // Seeing the message (or later) lets the reply through; the author's own replies and
        // other changes move the version without tripping the cop.
        let sent = try await s.send(clientID: "ok", seen: v)
        #expect(!sent.duplicate && sent.message.direction == .outbound && sent.conversation.version == v + 1)
        _ = try await s.store.markRead(s.conversation, in: s.workspace)
        #expect(try await !s.send(seen: v).duplicate)
        #expect(try await !s.send(seen: v + 100).duplicate)
        #expect(try await s.messageCount() == count + 3)
    }

    @Test(arguments: StoreKind.allCases)
    func idempotentResendIsADuplicateEvenWhenStale(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let seen = try await s.current().version
        let first = try await s.send(clientID: "c1", seen: seen)
        let later = try await s.store.inbound("p2", from: "ana", on: s.connection, in: s.workspace).conversation.version
        let count = try await s.messageCount()

        let again = try await s.send(clientID: "c1", seen: seen)
        #expect(again.duplicate && again.changes.isEmpty && again.message == first.message)
        #expect(try await s.messageCount() == count)
        // A new key with the same stale version is a new message, and is held back.
        await #expect(throws: InboxError.newerInbound(latestInboundVersion: later)) {
            try await s.send(clientID: "c2", seen: seen)
        }
    }

    // MARK: Resend and dismiss

    @Test(arguments: StoreKind.allCases)
    func resendTakesOnlyAFailedOutboundMessage(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let inbound = try await s.store.inbound("p2", from: "ana", on: s.connection, in: s.workspace).message
        let pending = try await s.store.reply(s.conversation, in: s.workspace, by: s.author).message
        let delivered = try await s.store.reply(s.conversation, in: s.workspace, by: s.author).message
        _ = try await s.store.updateDelivery(DeliveryUpdate(messageID: delivered.id, status: .delivered), in: s.workspace)
        let sequence = try await s.store.latestSequence(in: s.workspace)
        for id in [inbound.id, pending.id, delivered.id] {
            let error = await #expect(throws: InboxError.self) { try await s.store.resendMessage(id, in: s.workspace) }
            #expect(error?.code == "invalid_field" && error?.field == "messageId")
            let dismissError = await #expect(throws: InboxError.self) { try await s.store.dismissFailure(id, in: s.workspace) }
            #expect(dismissError?.code == "invalid_field" && dismissError?.field == "messageId")
        }
        #expect(try await s.store.latestSequence(in: s.workspace) == sequence)
        #expect(try await s.stored(pending.id).deliveryStatus == .pending)
        #expect(try await s.stored(delivered.id).deliveryStatus == .delivered)
    }

    @Test(arguments: StoreKind.allCases)
    func resendClearsTheFailure(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let failed = try await s.failedReply()
        let before = try await s.current()
        #expect(before.sendFailed && failed.deliveryStatus == .failed)
        await #expect(throws: InboxError.notFound(entity: "message")) { try await s.store.resendMessage(failed.id, in: s.other) }

        let resent = try await s.store.resendMessage(failed.id, in: s.workspace)
        #expect(!resent.duplicate && resent.message.id == failed.id)
        #expect(resent.message.deliveryStatus == .pending && resent.message.failureReason == nil)
        #expect(!resent.conversation.sendFailed && resent.conversation.version == before.version + 1)
        #expect(resent.changes.map(\.kind) == [.messageUpdated] && resent.changes.first?.messageID == failed.id)
        #expect(try await s.store.allChanges(in: s.workspace).last == resent.changes.first)

        let stored = try await s.stored(failed.id)
        #expect(stored.deliveryStatus == .pending && stored.failureReason == nil)
        #expect(try await s.current() == resent.conversation)
        #expect(try await s.sendFailedIDs().isEmpty)
        // Pending again: a second resend is refused, and a new failure flags the conversation again.
        await #expect(throws: InboxError.self) { try await s.store.resendMessage(failed.id, in: s.workspace) }
        let failedAgain = try await s.store.updateDelivery(DeliveryUpdate(messageID: failed.id, status: .failed), in: s.workspace)
        #expect(failedAgain.conversation.sendFailed)
    }

    @Test(arguments: StoreKind.allCases)
    func dismissClearsTheFlagOnlyWhenNoOtherFailureRemains(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let first = try await s.failedReply()
        let second = try await s.failedReply()
        #expect(try await s.current().sendFailed)
        await #expect(throws: InboxError.notFound(entity: "message")) { try await s.store.dismissFailure(first.id, in: s.other) }

        let one = try await s.store.dismissFailure(first.id, in: s.workspace)
        #expect(one.message.id == first.id && one.message.deliveryStatus == .failed)
        #expect(one.conversation.sendFailed) // the second failure still stands
        #expect(try await s.stored(first.id).deliveryStatus == .failed)
        #expect(try await s.sendFailedIDs() == [s.conversation])

        let two = try await s.store.dismissFailure(second.id, in: s.workspace)
        #expect(!two.conversation.sendFailed && two.changes.map(\.kind) == [.messageUpdated] && two.changes.first?.messageID == second.id)
        #expect(try await s.stored(first.id).deliveryStatus == .failed)
        #expect(try await s.stored(second.id).deliveryStatus == .failed)
        #expect(try await !s.current().sendFailed)
        #expect(try await s.sendFailedIDs().isEmpty)

        // Dismissed failures stay dismissed; a fresh failure flags the conversation again.
        let third = try await s.failedReply()
        #expect(try await s.current().sendFailed)
        #expect(try await !s.store.dismissFailure(third.id, in: s.workspace).conversation.sendFailed)
    }

    // MARK: Lead tags and stages

    struct Lead {
        let contact: Contact
        let whatsapp: Conversation
        let instagram: Conversation
    }

    /// A contact reached on two connections, with one conversation on each.
    static func lead(in s: Setup) async throws -> Lead {
        let ig = try await s.store.makeConnection("Instagram", in: s.workspace).id
        let contact = try await s.store.upsertContact(
            ContactUpsert(externalID: "crm-1", name: "Bruna", handles: [.init(connectionID: s.connection, handle: "bruna"), .init(connectionID: ig, handle: "@bruna")]),
            in: s.workspace).value
        let wa = try await s.store.inbound("b1", from: "bruna", on: s.connection, in: s.workspace).conversation
        let insta = try await s.store.inbound("b2", from: "@bruna", on: ig, in: s.workspace).conversation
        #expect(wa.contactID == contact.id && insta.contactID == contact.id && wa.id != insta.id)
        return Lead(contact: contact, whatsapp: wa, instagram: insta)
    }

    @Test(arguments: StoreKind.allCases)
    func leadTagReachesEveryConversationOfTheLead(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let lead = try await Self.lead(in: s)
        let vip = try await s.store.createTag(name: "VIP", color: "#f00", in: s.workspace).id
        let late = try await s.store.createTag(name: "Late", color: "#0f0", in: s.workspace).id
        let ana = try await s.current() // another lead's conversation

        let added = try await s.store.setLeadTag(vip, present: true, on: lead.contact.id, in: s.workspace)
        #expect(added.value.id == lead.contact.id && added.value.tagIDs == [vip])
        #expect(Set(added.changes.map(\.conversation.id)) == [lead.whatsapp.id, lead.instagram.id])
        #expect(added.changes.count == 2 && added.changes.allSatisfy { $0.kind == .leadUpdated })
        for before in [lead.whatsapp, lead.instagram] {
            let after = try await s.store.conversation(before.id, in: s.workspace)
            #expect(after.tagIDs == [vip] && after.version == before.version + 1)
        }
        #expect(try await s.store.contact(lead.contact.id, in: s.workspace).tagIDs == [vip])
        #expect(try await s.current() == ana)

        // Adding it again changes nothing; another tag keeps the first.
        let sequence = try await s.store.latestSequence(in: s.workspace)
        #expect(try await s.store.setLeadTag(vip, present: true, on: lead.contact.id, in: s.workspace).changes.isEmpty)
        #expect(try await s.store.latestSequence(in: s.workspace) == sequence)
        let both = try await s.store.setLeadTag(late, present: true, on: lead.contact.id, in: s.workspace)
        #expect(both.value.tagIDs == [vip, late].sorted())

        let removed = try await s.store.setLeadTag(vip, present: false, on: lead.contact.id, in: s.workspace)
        #expect(removed.value.tagIDs == [late] && removed.changes.count == 2)
        for id in [lead.whatsapp.id, lead.instagram.id] {
            #expect(try await s.store.conversation(id, in: s.workspace).tagIDs == [late])
        }
        // Removing an absent tag changes nothing.
        #expect(try await s.store.setLeadTag(vip, present: false, on: lead.contact.id, in: s.workspace).changes.isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func leadTagRejectsForeignTagsAndContacts(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let lead = try await Self.lead(in: s)
        let local = try await s.store.createTag(name: "T", color: "#123", in: s.workspace).id
        let foreignTag = try await s.store.createTag(name: "T", color: "#123", in: s.other).id
        let foreignContact = try await s.store.upsertContact(ContactUpsert(externalID: "b-1", name: "Bob"), in: s.other).value
        let sequence = try await s.store.latestSequence(in: s.workspace)

        await #expect(throws: InboxError.invalidReference(field: "tagId")) {
            try await s.store.setLeadTag(foreignTag, present: true, on: lead.contact.id, in: s.workspace)
        }
        await #expect(throws: InboxError.notFound(entity: "contact")) {
            try await s.store.setLeadTag(local, present: true, on: foreignContact.id, in: s.workspace)
        }
        await #expect(throws: InboxError.notFound(entity: "contact")) {
            try await s.store.setLeadTag(foreignTag, present: true, on: lead.contact.id, in: s.other)
        }
        #expect(try await s.store.contact(lead.contact.id, in: s.workspace).tagIDs.isEmpty)
        #expect(try await s.store.contact(foreignContact.id, in: s.other).tagIDs.isEmpty)
        #expect(try await s.store.latestSequence(in: s.workspace) == sequence)
    }

    @Test(arguments: StoreKind.allCases)
    func moveLeadMovesOrOpensTheDealInThatPipeline(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let lead = try await Self.lead(in: s)
        let sales = try await s.store.createPipeline(name: "Vendas", stageNames: ["Novo", "Proposta", "Ganho"], in: s.workspace).stages.map(\.id)
        let support = try await s.store.createPipeline(name: "Suporte", stageNames: ["Aberto", "Fechado"], in: s.workspace).stages.map(\.id)
        let deal = try await s.store.upsertDeal(
            DealUpsert(externalID: "d1", contact: .id(lead.contact.id), stageID: sales[0], title: "Plano", valueCents: 990), in: s.workspace).value

        // An existing deal of the pipeline moves; nothing new is opened.
        let moved = try await s.store.moveLead(lead.contact.id, to: sales[1], in: s.workspace)
        #expect(moved.value.map(\.id) == [deal.id] && moved.value.first?.stageID == sales[1])
        #expect(moved.value.first?.externalID == "d1" && moved.value.first?.valueCents == 990 && moved.value.first?.title == "Plano")
        #expect(Set(moved.changes.map(\.conversation.id)) == [lead.whatsapp.id, lead.instagram.id] && moved.changes.allSatisfy { $0.kind == .leadUpdated })
        #expect(try await s.store.deals(of: lead.contact.id, in: s.workspace).map(\.stageID) == [sales[1]])
        for id in [lead.whatsapp.id, lead.instagram.id] {
            #expect(try await s.store.conversation(id, in: s.workspace).stageIDs == [sales[1]])
        }

        // No deal in the other pipeline yet: one is opened there, the first stays.
        let opened = try await s.store.moveLead(lead.contact.id, to: support[0], in: s.workspace)
        let created = try #require(opened.value.first)
        #expect(opened.value.count == 1 && created.id != deal.id && created.contactID == lead.contact.id && created.stageID == support[0])
        let deals = try await s.store.deals(of: lead.contact.id, in: s.workspace)
        #expect(deals.count == 2 && Set(deals.map(\.stageID)) == [sales[1], support[0]])
        for id in [lead.whatsapp.id, lead.instagram.id] {
            #expect(try await s.store.conversation(id, in: s.workspace).stageIDs == [sales[1], support[0]].sorted())
        }

        // Moving again in that pipeline moves the opened deal instead of opening another.
        let again = try await s.store.moveLead(lead.contact.id, to: support[1], in: s.workspace)
        #expect(again.value.map(\.id) == [created.id])
        #expect(try await s.store.deals(of: lead.contact.id, in: s.workspace).count == 2)
        #expect(try await s.store.conversation(lead.whatsapp.id, in: s.workspace).stageIDs == [sales[1], support[1]].sorted())

        // Moving to the stage it is already in changes no conversation.
        let sequence = try await s.store.latestSequence(in: s.workspace)
        let same = try await s.store.moveLead(lead.contact.id, to: support[1], in: s.workspace)
        #expect(same.value.map(\.id) == [created.id] && same.changes.isEmpty)
        #expect(try await s.store.latestSequence(in: s.workspace) == sequence)
    }

    @Test(arguments: StoreKind.allCases)
    func moveLeadMovesEveryDealOfThePipeline(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let lead = try await Self.lead(in: s)
        let stages = try await s.store.createPipeline(name: "Vendas", stageNames: ["Novo", "Proposta"], in: s.workspace).stages.map(\.id)
        let d1 = try await s.store.upsertDeal(DealUpsert(externalID: "d1", contact: .id(lead.contact.id), stageID: stages[0], title: "A", valueCents: nil), in: s.workspace).value
        let d2 = try await s.store.upsertDeal(DealUpsert(externalID: "d2", contact: .id(lead.contact.id), stageID: stages[0], title: "B", valueCents: nil), in: s.workspace).value
        // Another lead's deal in the same pipeline stays put.
        let ana = try await s.current()
        let other = try await s.store.upsertDeal(DealUpsert(externalID: "d3", contact: .id(ana.contactID), stageID: stages[0], title: "C", valueCents: nil), in: s.workspace).value

        let moved = try await s.store.moveLead(lead.contact.id, to: stages[1], in: s.workspace)
        #expect(moved.value.map(\.id) == [d1.id, d2.id] && moved.value.allSatisfy { $0.stageID == stages[1] })
        #expect(try await s.store.deals(of: ana.contactID, in: s.workspace) == [other])
        #expect(try await s.current().stageIDs == [stages[0]])
    }

    @Test(arguments: StoreKind.allCases)
    func moveLeadOpensADealAgainAfterTheCRMMovedTheOpenedOneAway(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let lead = try await Self.lead(in: s)
        let sales = try await s.store.createPipeline(name: "Vendas", stageNames: ["Novo", "Proposta"], in: s.workspace).stages.map(\.id)
        let support = try await s.store.createPipeline(name: "Suporte", stageNames: ["Aberto"], in: s.workspace).stages.map(\.id)
        let opened = try #require(try await s.store.moveLead(lead.contact.id, to: sales[0], in: s.workspace).value.first)
        // The CRM adopts the opened deal under its external id and moves it to another pipeline.
        let adopted = try await s.store.upsertDeal(
            DealUpsert(externalID: try #require(opened.externalID), contact: .id(lead.contact.id), stageID: support[0], title: "Adopted", valueCents: nil),
            in: s.workspace).value
        #expect(adopted.id == opened.id)

        // The lead has no deal in Vendas any more, so moving it there opens one.
        let reopened = try await s.store.moveLead(lead.contact.id, to: sales[1], in: s.workspace)
        #expect(reopened.value.count == 1 && reopened.value.first?.stageID == sales[1] && reopened.value.first?.id != opened.id)
        #expect(try await s.store.deals(of: lead.contact.id, in: s.workspace).count == 2)
        #expect(try await s.store.conversation(lead.whatsapp.id, in: s.workspace).stageIDs == [sales[1], support[0]].sorted())
    }

    @Test(arguments: StoreKind.allCases)
    func moveLeadRejectsForeignStagesAndContacts(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let lead = try await Self.lead(in: s)
        let local = try await s.store.createPipeline(name: "P", stageNames: ["S"], in: s.workspace).stages[0].id
        let foreignStage = try await s.store.createPipeline(name: "P", stageNames: ["S"], in: s.other).stages[0].id
        let foreignContact = try await s.store.upsertContact(ContactUpsert(externalID: "b-1", name: "Bob"), in: s.other).value
        let sequence = try await s.store.latestSequence(in: s.workspace)

        await #expect(throws: InboxError.invalidReference(field: "stageId")) {
            try await s.store.moveLead(lead.contact.id, to: foreignStage, in: s.workspace)
        }
        await #expect(throws: InboxError.notFound(entity: "contact")) {
            try await s.store.moveLead(foreignContact.id, to: local, in: s.workspace)
        }
        #expect(try await s.store.deals(of: lead.contact.id, in: s.workspace).isEmpty)
        #expect(try await s.store.deals(of: foreignContact.id, in: s.other).isEmpty)
        #expect(try await s.store.conversation(lead.whatsapp.id, in: s.workspace) == lead.whatsapp)
        #expect(try await s.store.latestSequence(in: s.workspace) == sequence)
    }
}
