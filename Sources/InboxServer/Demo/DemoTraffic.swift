import InboxCore
import InboxStore
import Logging
import ServiceLifecycle

/// Keeps the demo inbox moving: every few seconds a customer writes (usually an existing lead,
/// sometimes a new one), an automation answers now and then, and deliveries progress or fail.
public struct DemoTraffic<Store: InboxStore>: Service {
    let store: Store
    let summary: DemoSeeder<Store>.Summary
    let logger: Logger
    /// Mean seconds between customer messages.
    let intervalSeconds: Double

    public init(store: Store, summary: DemoSeeder<Store>.Summary, logger: Logger, intervalSeconds: Double = 3) {
        self.store = store
        self.summary = summary
        self.logger = logger
        self.intervalSeconds = intervalSeconds
    }

    public func run() async throws {
        var random = SplitMix64(seed: UInt64(Timestamp.now().milliseconds))
        var sent = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let pause = Double.random(in: 0.3...1.7, using: &random) * intervalSeconds
            do {
                // Shutdown must not wait out the pause.
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int(pause * 1000))) }
            } catch {
                return
            }
            sent += 1
            do {
                try await step(number: sent, random: &random)
            } catch {
                logger.warning("demo traffic step failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func step(number: Int, random: inout SplitMix64) async throws {
        let workspace = summary.workspace.id
        let isNewLead = random.chance(0.15)
        let index = isNewLead ? summary.contactCount + Int.random(in: 0..<1_000_000, using: &random) : Int.random(in: 0..<summary.contactCount, using: &random)
        let connection = summary.connections[DemoContact.connectionIndex(index, count: summary.connections.count)]
        let inbound = InboundMessage(
            providerMessageID: "live-\(Timestamp.now().milliseconds)-\(number)", handle: DemoContact.handle(index, kind: connection.kind),
            contactName: DemoContact.name(index), text: random.pick(DemoData.customerLines))
        let result = try await store.receiveInbound(inbound, on: connection.id, in: workspace)
        guard random.chance(0.2) else { return }
        let reply = try await store.sendOutbound(
            OutboundMessage(author: .automation(name: "Robô de boas-vindas"), clientMessageID: nil, text: random.pick(DemoData.automationLines)),
            to: result.conversation.id, in: workspace)
        let failed = random.chance(0.15)
        _ = try await store.updateDelivery(
            DeliveryUpdate(messageID: reply.message.id, status: failed ? .failed : .delivered,
                           failureReason: failed ? random.pick(DemoData.failureReasons) : nil),
            in: workspace)
    }
}
