import InboxStore
import ServiceLifecycle

/// Once a second, lets the hub expire what expires by time (typing marks).
struct RealtimeTicker<Store: InboxStore>: Service {
    let hub: RealtimeHub<Store>

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            } catch {
                return
            }
            await hub.tick()
        }
    }
}
