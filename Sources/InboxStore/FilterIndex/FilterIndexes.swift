import InboxCore
import Synchronization

/// The filter index of each workspace, loaded on first use and shared by every query.
final class FilterIndexes: Sendable {
    /// One workspace's index behind its lock. Queries hold the lock for the bitmap work only
    /// (microseconds), never across database access.
    final class Entry: Sendable {
        let index: Mutex<WorkspaceFilterIndex>
        init(_ index: WorkspaceFilterIndex) { self.index = Mutex(index) }
    }

    private let entries = Mutex<[WorkspaceID: Task<Entry, any Error>]>([:])

    /// The workspace's index; the first caller loads it with `load`, concurrent callers wait
    /// for that same load.
    func entry(for workspace: WorkspaceID, load: @escaping @Sendable () async throws -> WorkspaceFilterIndex) async throws -> Entry {
        let task = entries.withLock { entries in
            if let loading = entries[workspace] { return loading }
            let loading = Task { Entry(try await load()) }
            entries[workspace] = loading
            return loading
        }
        do {
            return try await task.value
        } catch {
            forget(workspace, ifStill: task)
            throw error
        }
    }

    /// Drops a workspace's index (it is loaded afresh on next use): for when the change log no
    /// longer reaches back to where the index stands.
    func forget(_ workspace: WorkspaceID) {
        _ = entries.withLock { $0.removeValue(forKey: workspace) }
    }

    private func forget(_ workspace: WorkspaceID, ifStill task: Task<Entry, any Error>) {
        entries.withLock { entries in
            if entries[workspace] == task { entries[workspace] = nil }
        }
    }
}
