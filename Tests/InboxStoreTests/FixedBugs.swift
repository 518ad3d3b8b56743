import InboxCore
import InboxStore
import Testing

/// Regression tests for bugs found by review; each once failed.
@Suite("Fixed bugs")
struct FixedBugs {
    /// SQLiteStore+Conversations.swift, `updateDelivery`: a failure reported while the conversation
    /// is finished is stored with `failure_dismissed = 0` but `send_failed` stays false (the
    /// conversation is not open). After a reopen the flag is still false, until any later delivery
    /// report of *another* message recomputes it from the undismissed failure and flips it to
    /// true: the conversation jumps into "send failed" because a message was delivered.
    @Test(arguments: StoreKind.allCases)
    func failureReportedWhileFinishedResurfacesOnAnUnrelatedDelivery(_ kind: StoreKind) async throws {
        let db = try TestDatabase(kind)
        let store = db.store
        let ws = try await store.makeWorkspace("a").id
        let connection = try await store.makeConnection(in: ws).id
        let agent = try await store.makeAgent("Bia", in: ws).id
        let id = try await store.inbound("p1", from: "ana", on: connection, in: ws).conversation.id
        let first = try await store.reply(id, in: ws, by: .agent(agent))
        _ = try await store.finish(id, in: ws)
        _ = try await store.updateDelivery(DeliveryUpdate(messageID: first.message.id, status: .failed), in: ws)
        let reopened = try await store.reopen(id, in: ws).value
        let second = try await store.reply(id, in: ws, by: .agent(agent))
        let delivered = try await store.updateDelivery(DeliveryUpdate(messageID: second.message.id, status: .delivered), in: ws)
        // Whatever the intended rule, a successful delivery must not turn "send failed" on.
        #expect(delivered.conversation.sendFailed == reopened.sendFailed)
        #expect(!delivered.conversation.sendFailed)
    }

    /// Validation.swift, `color`: `Character.isHexDigit` is true for the fullwidth forms
    /// U+FF10–U+FF19, U+FF21–U+FF26 and U+FF41–U+FF46, so "#ＡＢＣ" passes and is stored as
    /// "#ａｂｃ", which no CSS parser accepts.
    @Test
    func colorRejectsNonASCIIHexDigits() async throws {
        #expect(throws: InboxError.self) { try Validation.color("#ＡＢＣ") }
        #expect(throws: InboxError.self) { try Validation.color("#１２３４５６") }
        let db = try TestDatabase(.memory)
        let ws = try await db.store.makeWorkspace("a").id
        await #expect(throws: InboxError.self) { try await db.store.createTag(name: "Wide", color: "#ＦＦＦ", in: ws) }
    }
}
