import InboxCore
import Testing

@Suite("DeliveryStatus.accepts")
struct DeliveryStatusTests {
    static let forward: [DeliveryStatus] = [.pending, .sent, .delivered, .read]

    @Test func movesForwardOnly() {
        for (i, from) in Self.forward.enumerated() {
            for (j, to) in Self.forward.enumerated() {
                #expect(from.accepts(to) == (j > i), "\(from) -> \(to)")
            }
        }
    }

    @Test func failureCountsOnlyBeforeDelivery() {
        #expect(DeliveryStatus.pending.accepts(.failed))
        #expect(DeliveryStatus.sent.accepts(.failed))
        #expect(!DeliveryStatus.delivered.accepts(.failed))
        #expect(!DeliveryStatus.read.accepts(.failed))
    }

    @Test func failedIsResentBySentDeliveredOrRead() {
        #expect(DeliveryStatus.failed.accepts(.sent))
        #expect(DeliveryStatus.failed.accepts(.delivered))
        #expect(DeliveryStatus.failed.accepts(.read))
    }

    @Test func failedDoesNotGoBackToPendingOrRepeat() {
        #expect(!DeliveryStatus.failed.accepts(.pending))
        #expect(!DeliveryStatus.failed.accepts(.failed))
    }

    @Test(arguments: DeliveryStatus.allCases)
    func nothingAcceptsItself(_ status: DeliveryStatus) {
        #expect(!status.accepts(status))
    }

    @Test(arguments: DeliveryStatus.allCases)
    func nothingGoesBackToPending(_ status: DeliveryStatus) {
        #expect(!status.accepts(.pending))
    }
}
