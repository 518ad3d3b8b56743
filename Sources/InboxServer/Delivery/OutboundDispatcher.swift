import AsyncHTTPClient
import Foundation
import InboxCore
import InboxStore
import Logging
import NIOCore
import ServiceLifecycle

/// Delivers outbound messages through their connections' adapters.
///
/// A message is stored (pending) before anything is sent. The dispatcher leases due messages
/// from the store, hands each to its adapter, and records the outcome: sent, a retry after a
/// backoff, or failed (which marks the conversation "send failed"). Because leases live in
/// the store, a restart loses nothing: a message whose attempt was cut short is due again
/// when its lease runs out, and one out of attempts is marked failed.
final class OutboundDispatcher<Store: InboxStore>: Service, Sendable {
    let store: Store
    let configuration: DeliveryConfiguration
    /// Made when the dispatcher runs (its HTTP client must be shut down when it stops).
    private let webhookBox = LockedBox<WebhookAdapter>()
    let logger: Logger
    let now: @Sendable () -> Timestamp
    private let wakeups: AsyncStream<Void>
    private let wakeup: AsyncStream<Void>.Continuation
    private let sandboxBox = LockedBox<SandboxAdapter<Store>>()

    init(store: Store, configuration: DeliveryConfiguration, logger: Logger, now: @escaping @Sendable () -> Timestamp) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.now = now

        (wakeups, wakeup) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The sandbox needs the intake (customers answer), which needs the commands, which need
    /// this dispatcher's wake-up: it is attached once everything exists.
    func attachSandbox(_ sandbox: SandboxAdapter<Store>) { sandboxBox.set(sandbox) }

    /// Something became due (a message was sent or resent): look now rather than at the next poll.
    func wake() { wakeup.yield() }

    func run() async throws {
        let poll = Task { [wakeup, configuration] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(configuration.pollIntervalMilliseconds))
                wakeup.yield()
            }
        }
        defer { poll.cancel() }
        let timeout = TimeAmount.milliseconds(Int64(configuration.requestTimeoutMilliseconds))
        let client = WebhookAdapter.makeClient(timeout: timeout)
        webhookBox.set(WebhookAdapter(client: client, timeout: timeout))
        let inFlight = InFlightCounter()
        await withDiscardingTaskGroup { group in
            for await _ in wakeups.cancelOnGracefulShutdown() {
                let free = configuration.maxInFlight - inFlight.value
                guard free > 0 else { continue }
                let time = now()
                let leased: [PendingDelivery]
                do {
                    leased = try await store.leaseDeliveries(
                        dueBy: time, leaseUntil: Timestamp(milliseconds: time.milliseconds + configuration.leaseMilliseconds), limit: free)
                } catch {
                    logger.error("outbox lease failed", metadata: ["error": "\(error)"])
                    continue
                }
                for delivery in leased {
                    inFlight.add(1)
                    group.addTask { [self] in
                        await self.attempt(delivery)
                        inFlight.add(-1)
                        self.wake()
                    }
                }
                if leased.count == free { wake() } // more may be due
            }
        }
        try? await client.shutdown()
    }

    /// One attempt, and its outcome recorded.
    func attempt(_ delivery: PendingDelivery) async {
        let message = delivery.message
        let result: DeliveryAttemptResult
        if delivery.attempt > configuration.maxAttempts {
            // Leased again after its last attempt was cut short (a restart): give up cleanly.
            result = .failed(reason: "not delivered after \(configuration.maxAttempts) attempts")
        } else if !delivery.connection.active {
            result = .failed(reason: "the connection is deactivated")
        } else if delivery.recipient.isEmpty {
            result = .failed(reason: "the contact has no handle on this connection")
        } else {
            switch delivery.connection.outbound.adapter {
            case .webhook:
                guard let webhook = webhookBox.value else { return } // not running: the lease runs out, it is retried
                result = await webhook.deliver(delivery, at: now())
            case .sandbox:
                guard let sandbox = sandboxBox.value else { return }
                result = await sandbox.deliver(delivery)
            case .none: result = .failed(reason: "the connection has no outbound adapter")
            }
        }
        do {
            switch result {
            case .sent(let providerID):
                do {
                    _ = try await store.updateDelivery(
                        DeliveryUpdate(messageID: message.id, status: .sent, providerMessageID: providerID), in: message.workspaceID)
                } catch let error as InboxError where providerID != nil {
                    // The gateway accepted the message but named it unusably (too long, or an id
                    // it already gave another): it is sent all the same; sending again would duplicate it.
                    logger.warning("gateway gave an unusable provider message id", metadata: ["message": "\(message.id)", "error": "\(error)"])
                    _ = try await store.updateDelivery(DeliveryUpdate(messageID: message.id, status: .sent), in: message.workspaceID)
                }
            case .retry(let reason) where delivery.attempt < configuration.maxAttempts:
                let due = now().milliseconds + configuration.backoff(afterAttempt: delivery.attempt)
                logger.info("delivery will be retried", metadata: ["message": "\(message.id)", "attempt": "\(delivery.attempt)", "reason": "\(reason)"])
                try await store.rescheduleDelivery(message.id, in: message.workspaceID, at: Timestamp(milliseconds: due), ifAttempt: delivery.attempt)
            case .retry(let reason):
                _ = try await store.updateDelivery(
                    DeliveryUpdate(messageID: message.id, status: .failed, failureReason: "gave up after \(delivery.attempt) attempts: \(reason)"),
                    in: message.workspaceID)
            case .failed(let reason):
                _ = try await store.updateDelivery(DeliveryUpdate(messageID: message.id, status: .failed, failureReason: reason), in: message.workspaceID)
            }
        } catch {
            // The lease runs out and the message is attempted again.
            logger.error("recording a delivery failed", metadata: ["message": "\(message.id)", "error": "\(error)"])
        }
    }
}

/// Deliveries in flight, shared by the dispatcher loop and its tasks.
private final class InFlightCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add(_ delta: Int) { lock.withLock { count += delta } }
}

/// A value set once after construction, read from any task.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?
    func set(_ value: Value) { lock.withLock { stored = value } }
    var value: Value? { lock.withLock { stored } }
}
