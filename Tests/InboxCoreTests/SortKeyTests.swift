import InboxCore
import Testing

@Suite("ConversationSortKey")
struct SortKeyTests {
    func key(_ millis: Int64, _ id: Int64) -> ConversationSortKey {
        ConversationSortKey(lastActivityAt: Timestamp(milliseconds: millis), id: ConversationID(id))
    }

    @Test func newestPutsLaterActivityFirst() {
        #expect(key(200, 1).precedes(key(100, 9), in: .newest))
        #expect(!key(100, 9).precedes(key(200, 1), in: .newest))
    }

    @Test func oldestPutsEarlierActivityFirst() {
        #expect(key(100, 9).precedes(key(200, 1), in: .oldest))
        #expect(!key(200, 1).precedes(key(100, 9), in: .oldest))
    }

    @Test func tiesBrokenByIdHigherFirstWhenNewest() {
        #expect(key(100, 5).precedes(key(100, 4), in: .newest))
        #expect(!key(100, 4).precedes(key(100, 5), in: .newest))
    }

    @Test func tiesBrokenByIdLowerFirstWhenOldest() {
        #expect(key(100, 4).precedes(key(100, 5), in: .oldest))
        #expect(!key(100, 5).precedes(key(100, 4), in: .oldest))
    }

    @Test(arguments: ConversationOrder.allCases)
    func irreflexive(_ order: ConversationOrder) {
        #expect(!key(100, 4).precedes(key(100, 4), in: order))
    }

    /// Over a grid of keys, each order is a strict total order and the two orders are reverses.
    @Test func strictTotalOrdersThatAreReverses() {
        let keys = (0..<4).flatMap { millis in (1...4).map { key(Int64(millis) * 10, Int64($0)) } }
        for a in keys {
            for b in keys where a != b {
                let newest = a.precedes(b, in: .newest)
                #expect(newest != b.precedes(a, in: .newest))
                #expect(newest == b.precedes(a, in: .oldest))
            }
        }
        let sorted = keys.shuffled().sorted { $0.precedes($1, in: .oldest) }
        #expect(sorted == keys)
        #expect(keys.shuffled().sorted { $0.precedes($1, in: .newest) } == keys.reversed())
    }

    @Test func conversationSortKey() {
        let conversation = Fixture.conversation(id: 8, lastActivity: 1234)
        #expect(conversation.sortKey == key(1234, 8))
    }
}
