import InboxCore
import Testing

@Suite("PageCursor")
struct PageCursorTests {
    @Test(arguments: ConversationOrder.allCases, [Int64(0), 1, 1_700_000_000_123, -5, Int64.max])
    func roundTrip(_ order: ConversationOrder, _ millis: Int64) throws {
        let cursor = PageCursor(order: order, after: ConversationSortKey(lastActivityAt: Timestamp(milliseconds: millis), id: ConversationID(42)))
        let decoded = try PageCursor(decoding: cursor.encoded, order: order)
        #expect(decoded == cursor)
    }

    @Test func wireFormIsStable() {
        let cursor = PageCursor(order: .newest, after: ConversationSortKey(lastActivityAt: Timestamp(milliseconds: 1500), id: ConversationID(7)))
        #expect(cursor.encoded == "n.1500.7")
        let oldest = PageCursor(order: .oldest, after: cursor.after)
        #expect(oldest.encoded == "o.1500.7")
    }

    @Test(arguments: [
        "", "n", "n.1", "n.1.2.3", "x.1.2", "N.1.2", "n.a.2", "n.1.b", "n..2", "n.1.", ".1.2", "n.1.2 ", "n.1.99999999999999999999",
        "🙂", "n,1,2",
    ])
    func rejectsGarbage(_ text: String) {
        #expect(throws: InboxError.invalidField(field: "cursor", reason: "not a cursor this server issued")) {
            try PageCursor(decoding: text, order: .newest)
        }
    }

    @Test(arguments: ConversationOrder.allCases)
    func rejectsCursorOfTheOtherOrder(_ order: ConversationOrder) {
        let cursor = PageCursor(order: order, after: ConversationSortKey(lastActivityAt: Timestamp(milliseconds: 1), id: ConversationID(1)))
        let other: ConversationOrder = order == .newest ? .oldest : .newest
        #expect(throws: InboxError.invalidField(field: "cursor", reason: "cursor was issued for the other order")) {
            try PageCursor(decoding: cursor.encoded, order: other)
        }
    }
}
