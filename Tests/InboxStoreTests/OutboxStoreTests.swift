import Foundation
import InboxCore
import InboxStore
import Testing

@Suite("Store: the outbox (adapter settings, leases, retries)")
struct OutboxStoreTests {
    static let webhook = OutboundSettings(adapter: .webhook, url: "http://127.0.0.1:9/hook")

    struct Setup {
        let db: TestDatabase
        let workspace: WorkspaceID
        let other: WorkspaceID
        /// The connection the conversation is on (WhatsApp, no adapter until a test sets one).
        let connection: ConnectionID
        /// Another connection of the same contact, with another handle.
        let instagram: ConnectionID
        let agent: Agent
        let contact: Contact
        let conversation: ConversationID
        var store: SQLiteStore { db.store }

        init(_ kind: StoreKind) async throws {
            db = try TestDatabase(kind)
            let store = db.store
            workspace = try await store.makeWorkspace("a").id
            other = try await store.makeWorkspace("b").id
            instagram = try await store.makeConnection("Instagram", in: workspace).id
            connection = try await store.makeConnection("WhatsApp", in: workspace).id
            agent = try await store.makeAgent("Bia", in: workspace)
            contact = try await store.upsertContact(
                ContactUpsert(externalID: "crm-1", name: "Ana Souza", handles: [.init(connectionID: instagram, handle: "@ana"), .init(connectionID: connection, handle: "+5511999")]),
                in: workspace).value
            conversation = try await store.inbound("p1", from: "+5511999", on: connection, in: workspace).conversation.id
            db.clock.advance()
        }

        var now: Timestamp { db.clock.now }

        func useWebhook(secret: String? = "s3cret") async throws -> Connection {
            try await store.updateConnection(connection, in: workspace, with: ConnectionPatch(outbound: OutboxStoreTests.webhook, outboundSecret: secret))
        }

        func send(_ text: String = "reply") async throws -> Message {
            try await store.reply(conversation, in: workspace, by: .agent(agent.id), text: text).message
        }

        func lease(at time: Timestamp, for millis: Int64 = 10_000, limit: Int = 10) async throws -> [PendingDelivery] {
            try await store.leaseDeliveries(dueBy: time, leaseUntil: time.adding(milliseconds: millis), limit: limit)
        }

        func stored(_ id: MessageID) async throws -> Message {
            try #require(try await store.messages(ids: [id], in: workspace).first)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func withoutAnAdapterNothingIsLeased(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        #expect(try await s.store.connection(s.connection, in: s.workspace).outbound == .noAdapter)
        let message = try await s.send()
        #expect(message.deliveryStatus == .pending)
        let farFuture = s.now.adding(milliseconds: 86_400_000)
        #expect(try await s.lease(at: farFuture).isEmpty)
        #expect(try await s.stored(message.id).deliveryStatus == .pending) // waits for the gateway's report
        // A failed message resent without an adapter is not leased either.
        _ = try await s.store.updateDelivery(DeliveryUpdate(messageID: message.id, status: .failed), in: s.workspace)
        _ = try await s.store.resendMessage(message.id, in: s.workspace)
        #expect(try await s.lease(at: farFuture).isEmpty)
        #expect(try await s.stored(message.id).deliveryStatus == .pending)
    }

    @Test(arguments: StoreKind.allCases)
    func webhookMessageIsLeasedOnceUntilTheLeaseRunsOut(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let configured = try await s.useWebhook()
        #expect(configured.outbound == Self.webhook)
        let message = try await s.send("Oi!")
        let t0 = s.now
        #expect(try await s.lease(at: t0.adding(milliseconds: -1)).isEmpty) // not due before it was sent

        let first = try await s.lease(at: t0)
        try #require(first.count == 1)
        let delivery = first[0]
        #expect(delivery.message.id == message.id && delivery.message.text == "Oi!" && delivery.message.deliveryStatus == .pending)
        #expect(delivery.attempt == 1 && delivery.signingSecret == "s3cret")
        #expect(delivery.recipient == "+5511999" && delivery.contactName == "Ana Souza") // the handle on this connection
        #expect(delivery.connection.id == s.connection && delivery.connection.outbound == Self.webhook)

        // Leased: not handed out again until the lease runs out.
        #expect(try await s.lease(at: t0).isEmpty)
        #expect(try await s.lease(at: t0.adding(milliseconds: 9_999)).isEmpty)
        let second = try await s.lease(at: t0.adding(milliseconds: 10_000))
        #expect(second.map(\.message.id) == [message.id] && second.first?.attempt == 2)

        // A backoff makes it due at the new time, not before (nor at the lease's end).
        try await s.store.rescheduleDelivery(message.id, in: s.workspace, at: t0.adding(milliseconds: 60_000))
        #expect(try await s.lease(at: t0.adding(milliseconds: 20_000)).isEmpty)
        #expect(try await s.lease(at: t0.adding(milliseconds: 59_999)).isEmpty)
        let third = try await s.lease(at: t0.adding(milliseconds: 60_000))
        #expect(third.map(\.message.id) == [message.id] && third.first?.attempt == 3)

        // Once reported sent it is never leased again.
        _ = try await s.store.updateDelivery(DeliveryUpdate(messageID: message.id, status: .sent), in: s.workspace)
        #expect(try await s.lease(at: t0.adding(milliseconds: 86_400_000)).isEmpty)
        try await s.store.rescheduleDelivery(message.id, in: s.workspace, at: t0)
        #expect(try await s.lease(at: t0.adding(milliseconds: 86_400_000)).isEmpty)
        #expect(try await s.stored(message.id).deliveryStatus == .sent)
    }

    @Test(arguments: StoreKind.allCases)
    func rescheduleIsScopedToTheWorkspace(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        _ = try await s.useWebhook()
        let message = try await s.send()
        let t0 = s.now
        #expect(try await s.lease(at: t0).count == 1)
        try await s.store.rescheduleDelivery(message.id, in: s.other, at: t0) // not its workspace: ignored
        #expect(try await s.lease(at: t0).isEmpty)
        try await s.store.rescheduleDelivery(message.id, in: s.workspace, at: t0)
        #expect(try await s.lease(at: t0).first?.attempt == 2)
    }

    @Test(arguments: StoreKind.allCases)
    func recipientIsTheContactsHandleOnTheConversationsConnection(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        _ = try await s.store.updateConnection(s.instagram, in: s.workspace, with: ConnectionPatch(outbound: Self.webhook, outboundSecret: "ig-secret"))
        let insta = try await s.store.inbound("i1", from: "@ana", on: s.instagram, in: s.workspace).conversation
        #expect(insta.contactID == s.contact.id)
        let sent = try await s.store.reply(insta.id, in: s.workspace, by: .agent(s.agent.id)).message
        _ = try await s.send() // on WhatsApp, which has no adapter
        let leased = try await s.lease(at: s.now)
        #expect(leased.map(\.message.id) == [sent.id])
        #expect(leased.first?.recipient == "@ana" && leased.first?.signingSecret == "ig-secret" && leased.first?.connection.id == s.instagram)
    }

    @Test(arguments: StoreKind.allCases)
    func leasesHonourTheLimitOldestFirst(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        _ = try await s.useWebhook()
        var sent: [MessageID] = []
        for i in 0..<3 {
            sent.append(try await s.send("m\(i)").id)
            s.db.clock.advance()
        }
        let first = try await s.lease(at: s.now, limit: 2)
        #expect(Set(first.map(\.message.id)) == Set(sent.prefix(2)) && first.allSatisfy { $0.attempt == 1 })
        let rest = try await s.lease(at: s.now, limit: 2)
        #expect(rest.map(\.message.id) == [sent[2]])
        #expect(try await s.lease(at: s.now, limit: 2).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func resentFailureIsDueAgainFromTheFirstAttempt(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        _ = try await s.useWebhook()
        let message = try await s.send()
        let t0 = s.now
        #expect(try await s.lease(at: t0).first?.attempt == 1)
        #expect(try await s.lease(at: t0.adding(milliseconds: 10_000)).first?.attempt == 2)
        _ = try await s.store.updateDelivery(DeliveryUpdate(messageID: message.id, status: .failed, failureReason: "http 500"), in: s.workspace)
        #expect(try await s.lease(at: t0.adding(milliseconds: 86_400_000)).isEmpty) // failed: not retried on its own

        s.db.clock.advance(by: 120_000)
        let resentAt = s.now
        let resent = try await s.store.resendMessage(message.id, in: s.workspace)
        #expect(resent.message.deliveryStatus == .pending)
        #expect(try await s.lease(at: resentAt.adding(milliseconds: -1)).isEmpty)
        let again = try await s.lease(at: resentAt)
        #expect(again.map(\.message.id) == [message.id])
        #expect(again.first?.attempt == 1 && again.first?.message.deliveryStatus == .pending && again.first?.message.failureReason == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func invalidOutboundSettingsAreRefused(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let configured = try await s.useWebhook()
        let refused: [(OutboundSettings, String)] = [
            (OutboundSettings(adapter: .webhook), "url"),
            (OutboundSettings(adapter: .webhook, url: "ftp://example.com/hook"), "url"),
            (OutboundSettings(adapter: .webhook, url: "https://"), "url"),
            (OutboundSettings(adapter: .webhook, url: "https://example.com/hook", failureRate: 0.5), "adapter"),
            (OutboundSettings(adapter: .sandbox, failureRate: 2), "failureRate"),
            (OutboundSettings(adapter: .sandbox, failureRate: -0.1), "failureRate"),
            (OutboundSettings(adapter: .sandbox, delayMs: 60_001), "delayMs"),
            (OutboundSettings(adapter: .sandbox, url: "https://example.com/hook"), "url"),
            (OutboundSettings(adapter: .none, url: "https://example.com/hook"), "adapter"),
        ]
        for (settings, field) in refused {
            let error = await #expect(throws: InboxError.self, "\(settings)") {
                try await s.store.updateConnection(s.connection, in: s.workspace, with: ConnectionPatch(outbound: settings, outboundSecret: "other"))
            }
            #expect(error?.code == "invalid_field" && error?.field == field, "\(settings)")
        }
        #expect(try await s.store.connection(s.connection, in: s.workspace) == configured)
        // The refused patches' secret was not stored either.
        _ = try await s.send()
        #expect(try await s.lease(at: s.now).first?.signingSecret == "s3cret")
        await #expect(throws: InboxError.notFound(entity: "connection")) {
            try await s.store.updateConnection(s.connection, in: s.other, with: ConnectionPatch(outbound: .noAdapter))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func settingsRoundTripButTheSecretNeverLeaves(_ kind: StoreKind) async throws {
        let s = try await Setup(kind)
        let sandbox = OutboundSettings(adapter: .sandbox, failureRate: 0.25, delayMs: 500, autoReply: "Obrigado!")
        let updated = try await s.store.updateConnection(s.instagram, in: s.workspace, with: ConnectionPatch(outbound: sandbox))
        #expect(updated.outbound == sandbox)
        _ = try await s.useWebhook()

        #expect(try await s.store.connection(s.instagram, in: s.workspace).outbound == sandbox)
        #expect(try await s.store.connection(s.connection, in: s.workspace).outbound == Self.webhook)
        let listed = try await s.store.connections(in: s.workspace)
        #expect(listed.map(\.id) == [s.instagram, s.connection] && listed.map(\.outbound) == [sandbox, Self.webhook])
        let json = String(decoding: try JSONEncoder().encode(listed), as: UTF8.self)
        #expect(!json.contains("s3cret"))

        // A patch without outbound fields keeps both settings and secret.
        let renamed = try await s.store.updateConnection(s.connection, in: s.workspace, with: ConnectionPatch(name: "WhatsApp Vendas"))
        #expect(renamed.name == "WhatsApp Vendas" && renamed.outbound == Self.webhook)
        // Going back to no adapter takes effect for later messages.
        let none = try await s.store.updateConnection(s.connection, in: s.workspace, with: ConnectionPatch(outbound: OutboundSettings.noAdapter))
        #expect(none.outbound == .noAdapter && none.name == "WhatsApp Vendas")
        _ = try await s.send()
        #expect(try await s.lease(at: s.now).isEmpty)
        _ = try await s.store.updateConnection(s.connection, in: s.workspace, with: ConnectionPatch(outbound: Self.webhook))
        _ = try await s.send()
        #expect(try await s.lease(at: s.now).first?.signingSecret == "s3cret")
    }
}
