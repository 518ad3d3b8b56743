import InboxCore
import InboxStore
import Logging
import ServiceLifecycle

/// Keeps the change log bounded: once a minute, entries older than the retention are deleted,
/// the newest `changeLogKeep` of each workspace always kept (resume replays from them).
struct ChangeLogPruner<Store: InboxStore>: Service {
    let store: Store
    let configuration: ServerConfiguration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // Shutdown must not wait out the pause.
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(60)) }
            } catch {
                return
            }
            do {
                let cutoff = configuration.now().adding(milliseconds: -Int64(configuration.changeLogRetentionSeconds) * 1000)
                let removed = try await store.pruneChangeLog(olderThan: cutoff, keepAtLeast: configuration.changeLogKeep)
                if removed > 0 { logger.debug("pruned change log", metadata: ["entries": "\(removed)"]) }
            } catch {
                logger.warning("change log pruning failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
