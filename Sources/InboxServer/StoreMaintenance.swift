import InboxCore
import InboxStore
import Logging
import ServiceLifecycle

/// Periodic store upkeep. Once a minute the change log is pruned: entries older than the
/// retention go, the newest `changeLogKeep` of each workspace always stay (resume replays from
/// them). Every ten minutes, and once at start, the planner statistics are refreshed, so list
/// queries keep their index plans as the data grows.
struct StoreMaintenance<Store: InboxStore>: Service {
    let store: Store
    let configuration: ServerConfiguration
    let logger: Logger

    func run() async throws {
        var minute = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if minute % 10 == 0 { try await store.refreshPlannerStatistics() }
                let cutoff = configuration.now().adding(milliseconds: -Int64(configuration.changeLogRetentionSeconds) * 1000)
                let removed = try await store.pruneChangeLog(olderThan: cutoff, keepAtLeast: configuration.changeLogKeep)
                if removed > 0 { logger.debug("pruned change log", metadata: ["entries": "\(removed)"]) }
            } catch {
                logger.warning("store maintenance failed", metadata: ["error": "\(error)"])
            }
            minute += 1
            do {
                // Shutdown must not wait out the pause.
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(60)) }
            } catch {
                return
            }
        }
    }
}
