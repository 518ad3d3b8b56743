import InboxCore
import InboxStore
import Logging

/// The in-process gateway for demos and load tests: after the connection's delay a message
/// is sent (or fails, for the configured fraction, with a reason), after another delay it is
/// delivered, and the customer may answer (only to people: never to an automation, so that
/// automations and the sandbox cannot answer each other forever).
struct SandboxAdapter<Store: InboxStore>: Sendable {
    let store: Store
    let intake: InboundIntake<Store>
    let logger: Logger

    func deliver(_ delivery: PendingDelivery) async -> DeliveryAttemptResult {
        let settings = delivery.connection.outbound
        let delay = settings.delayMs ?? 200
        try? await Task.sleep(for: .milliseconds(delay))
        if Double.random(in: 0..<1) < (settings.failureRate ?? 0) {
            return .failed(reason: "sandbox: the customer's number could not be reached")
        }
        Task { await afterSending(delivery, delay: delay) }
        return .sent(providerMessageID: "sandbox-\(delivery.message.id)")
    }

    private func afterSending(_ delivery: PendingDelivery, delay: Int) async {
        let message = delivery.message
        try? await Task.sleep(for: .milliseconds(delay))
        do {
            _ = try await store.updateDelivery(DeliveryUpdate(messageID: message.id, status: .delivered), in: message.workspaceID)
            guard let reply = delivery.connection.outbound.autoReply, !message.automated, !delivery.recipient.isEmpty else { return }
            try? await Task.sleep(for: .milliseconds(delay))
            _ = try await store.updateDelivery(DeliveryUpdate(messageID: message.id, status: .read), in: message.workspaceID)
            let inbound = InboundMessage(
                providerMessageID: "sandbox-reply-\(message.id)", handle: delivery.recipient, contactName: nil, text: reply, attachments: [], sentAt: nil)
            _ = try await intake.receive(inbound, on: delivery.connection.id, in: message.workspaceID)
        } catch {
            logger.warning("sandbox follow-up failed", metadata: ["message": "\(message.id)", "error": "\(error)"])
        }
    }
}
