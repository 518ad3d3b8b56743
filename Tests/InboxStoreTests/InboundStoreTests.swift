import InboxCore
import InboxStore
import Testing

@Suite("Store: inbound messages")
struct InboundStoreTests {
    @Test(arguments: StoreKind.allCases)
    func firstMessageCreatesContactAndConversation(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind)
        let store = db.store
        let a = try await store.makeWorkspace("a")
        let wa = try await store.makeConnection(in: a.id)
        let sentAt = db.clock.now.adding(milliseconds: -60_000)
        let result = try await store.inbound("p1", from: "+5511", on: wa.id, in: a.id, text: "Olá\nbom dia", sentAt: sentAt)
        #expect(!result.duplicate)
        let conversation = result.conversation
        #expect(conversation.status == .open && conversation.unreadCount == 1 && !conversation.awaitingReply)
        #expect(conversation.assigneeID == nil && conversation.version == 1 && conversation.connectionID == wa.id)
        #expect(conversation.lastActivityAt == sentAt && conversation.createdAt == db.clock.now)
        #expect(conversation.lastMessagePreview == "Olá bom dia" && conversation.contactName == "Customer +5511")
        #expect(try await store.conversation(conversation.id, in: a.id) == conversation)

        let contact = try await store.contact(conversation.contactID, in: a.id)
        #expect(contact.handles == [ContactHandle(connectionID: wa.id, handle: "+5511")] && contact.externalID == nil)
        #expect(result.message.direction == .inbound && result.message.deliveryStatus == .delivered)
        #expect(result.message.providerMessageID == "p1" && result.message.conversationID == conversation.id)

        #expect(result.changes.map(\.kind) == [.created] && result.changes.map(\.sequence) == [1])
        #expect(result.changes.first?.conversation == conversation && result.changes.first?.messageID == result.message.id)
    }

    @Test(arguments: StoreKind.allCases)
    func laterMessagesJoinTheConversation(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind)
        let store = db.store
        let a = try await store.makeWorkspace("a")
        let wa = try await store.makeConnection(in: a.id), ig = try await store.makeConnection("Instagram", in: a.id)
        let first = try await store.inbound("p1", from: "ana", on: wa.id, in: a.id)
        db.clock.advance()
        let second = try await store.inbound("p2", from: "ana", on: wa.id, in: a.id, text: "again")
        #expect(second.conversation.id == first.conversation.id)
        #expect(second.conversation.version == 2 && second.conversation.unreadCount == 2)
        #expect(second.conversation.lastActivityAt == db.clock.now && second.conversation.lastMessagePreview == "again")
        #expect(second.changes.map(\.kind) == [.messageAdded])

        let other = try await store.inbound("p1", from: "ana", on: ig.id, in: a.id) // same provider id, other connection
        #expect(!other.duplicate && other.conversation.id != first.conversation.id)
        #expect(other.conversation.contactID != first.conversation.contactID) // handles are per connection
        let bob = try await store.inbound("p3", from: "bob", on: wa.id, in: a.id)
        #expect(bob.conversation.id != first.conversation.id)
    }

    @Test(arguments: StoreKind.allCases)
    func idempotentOnProviderMessageID(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind)
        let store = db.store
        let a = try await store.makeWorkspace("a")
        let wa = try await store.makeConnection(in: a.id)
        let first = try await store.inbound("p1", from: "ana", on: wa.id, in: a.id)
        let sequence = try await store.latestSequence(in: a.id)
        db.clock.advance()
        let again = try await store.inbound("p1", from: "ana", on: wa.id, in: a.id, text: "different text")
        #expect(again.duplicate && again.changes.isEmpty)
        #expect(again.message == first.message && again.conversation == first.conversation)
        #expect(try await store.latestSequence(in: a.id) == sequence)
        #expect(try await store.messages(of: first.conversation.id, in: a.id, before: nil, limit: 10).count == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func reopensAFinishedConversation(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind)
        let store = db.store
        let a = try await store.makeWorkspace("a")
        let wa = try await store.makeConnection(in: a.id)
        let id = try await store.inbound("p1", from: "ana", on: wa.id, in: a.id).conversation.id
        let finished = try await store.finish(id, in: a.id)
        #expect(finished.value.status == .finished && finished.changes.map(\.kind) == [.finished])
        db.clock.advance()
        let reopened = try await store.inbound("p2", from: "ana", on: wa.id, in: a.id)
        #expect(reopened.conversation.id == id && reopened.conversation.status == .open && reopened.conversation.unreadCount == 1)
        #expect(reopened.conversation.version == finished.value.version + 1)
    }

    @Test(arguments: StoreKind.allCases)
    func providerClockAheadIsClamped(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind)
        let store = db.store
        let a = try await store.makeWorkspace("a")
        let wa = try await store.makeConnection(in: a.id)
        let result = try await store.inbound("p1", from: "ana", on: wa.id, in: a.id, sentAt: db.clock.now.adding(milliseconds: 3_600_000))
        #expect(result.conversation.lastActivityAt == db.clock.now && result.message.createdAt == db.clock.now)
    }

    @Test(arguments: StoreKind.allCases)
    func rejectsForeignConnectionsAndBadInput(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind), store = db.store
        let a = try await store.makeWorkspace("a"), b = try await store.makeWorkspace("b")
        let wa = try await store.makeConnection(in: a.id)
        await #expect(throws: InboxError.notFound(entity: "connection")) { try await store.inbound("p1", from: "ana", on: wa.id, in: b.id) }
        await #expect(throws: InboxError.invalidField(field: "messageId", reason: "1 to 200 printable characters")) {
            try await store.inbound("", from: "ana", on: wa.id, in: a.id)
        }
        await #expect(throws: InboxError.invalidField(field: "text", reason: "a message needs text or an attachment")) {
            try await store.inbound("p1", from: "ana", on: wa.id, in: a.id, text: "  ")
        }
        #expect(try await store.latestSequence(in: a.id) == 0)
        #expect(try await store.latestSequence(in: b.id) == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func markReadAndMessagesPaging(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind), store = db.store
        let a = try await store.makeWorkspace("a"), b = try await store.makeWorkspace("b")
        let wa = try await store.makeConnection(in: a.id)
        for i in 1...5 { try await store.inbound("p\(i)", from: "ana", on: wa.id, in: a.id, text: "m\(i)") }
        let id = try await store.inbound("p6", from: "ana", on: wa.id, in: a.id, text: "m6").conversation.id
        let newest = try await store.messages(of: id, in: a.id, before: nil, limit: 4)
        #expect(newest.map(\.text) == ["m6", "m5", "m4", "m3"])
        let older = try await store.messages(of: id, in: a.id, before: newest.last?.id, limit: 4)
        #expect(older.map(\.text) == ["m2", "m1"])
        await #expect(throws: InboxError.notFound(entity: "conversation")) { try await store.messages(of: id, in: b.id, before: nil, limit: 4) }

        let read = try await store.markRead(id, in: a.id)
        #expect(read.value.unreadCount == 0 && read.changes.map(\.kind) == [.read])
        let again = try await store.markRead(id, in: a.id)
        #expect(again.changes.isEmpty && again.value == read.value)
        await #expect(throws: InboxError.notFound(entity: "conversation")) { try await store.markRead(id, in: b.id) }
        await #expect(throws: InboxError.notFound(entity: "conversation")) { try await store.conversation(id, in: b.id) }
    }
}
