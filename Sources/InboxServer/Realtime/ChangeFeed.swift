import InboxCore
import InboxStore
import Logging
import ServiceLifecycle

/// Tails each workspace's change log and hands new entries, in sequence order and without gaps,
/// to the hub. The store only says "workspace W committed"; the feed reads what is new, so
/// signals may be coalesced or repeated without losing or duplicating anything.
struct ChangeFeed<Store: InboxStore>: Service {
    let store: Store
    let hub: RealtimeHub<Store>
    let logger: Logger

    func run() async throws {
        let (signals, continuation) = AsyncStream<WorkspaceID>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        store.observeCommits { continuation.yield($0) }
        var delivered: [WorkspaceID: Int64] = [:]
        for workspace in try await store.workspaces() {
            let latest = try await store.latestSequence(in: workspace.id)
            delivered[workspace.id] = latest
            await hub.startFeed(workspace.id, at: latest)
        }
        await withGracefulShutdownHandler {
            for await workspace in signals {
                do {
                    // A workspace created after start begins at sequence 0.
                    var after = delivered[workspace] ?? 0
                    while true {
                        let entries = try await store.changes(in: workspace, after: after, limit: 1_000)
                        guard let last = entries.last else { break }
                        // Open threads show messages: fetch those (once, for every viewer).
                        let watched = await hub.watchedConversations
                        let wanted = entries.compactMap { watched.contains($0.conversation.id) ? $0.messageID : nil }
                        let messages = try await store.messages(ids: wanted, in: workspace)
                        await hub.apply(entries, messages: Dictionary(messages.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }))
                        after = last.sequence
                    }
                    delivered[workspace] = after
                } catch {
                    logger.error("change feed failed to read the log", metadata: ["workspace": "\(workspace)", "error": "\(error)"])
                }
            }
        } onGracefulShutdown: {
            continuation.finish()
        }
    }
}
