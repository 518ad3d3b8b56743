import InboxStore
import ServiceLifecycle

/// On graceful shutdown, before the HTTP server stops: tells every WebSocket client to
/// reconnect elsewhere and resume (close 1001), and waits up to three seconds for them to go.
struct RealtimeDrain<Store: InboxStore>: Service {
    let hub: RealtimeHub<Store>

    /// The close reason sent with 1001 when the server stops.
    static var reason: String { "server shutting down; reconnect and resume" }

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return // cancelled: nothing to drain
        }
        await hub.closeAll(.goingAway, reason: Self.reason)
        for _ in 0..<30 {
            if await hub.connectionCount == 0 { return }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
