import Foundation
import InboxCore
import Synchronization

/// One WebSocket connection's outbound side: a queue bounded in bytes, drained by the
/// connection's writer. The hub only ever enqueues, never waits on a socket, so one client
/// that stops reading cannot slow anyone else down; when its queue overflows it is closed.
final class ClientSession: Sendable {
    let id: Int
    let agent: Agent
    let tokenHash: String?

    private struct State {
        var frames: [String] = []
        var queuedBytes = 0
        var waiter: CheckedContinuation<String?, Never>?
        var closeCode: RealtimeCloseCode?
        var closeReason = ""
        var writeStartedAt: UInt64?
    }

    private let state = Mutex(State())
    private let maxQueuedBytes: Int

    init(id: Int, agent: Agent, tokenHash: String?, maxQueuedBytes: Int) {
        self.id = id
        self.agent = agent
        self.tokenHash = tokenHash
        self.maxQueuedBytes = maxQueuedBytes
    }

    var viewer: Viewer { agent.viewer }

    /// Queues a text frame. Past the byte limit the session is marked closed as a slow consumer
    /// and the frame is dropped (the client resumes from its last sequence after reconnecting).
    func enqueue(_ frame: String) {
        let waiter: CheckedContinuation<String?, Never>? = state.withLock { state in
            guard state.closeCode == nil else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.queuedBytes += frame.utf8.count
            if state.queuedBytes > maxQueuedBytes {
                state.closeCode = .slowConsumer
                state.closeReason = "outbound queue over \(maxQueuedBytes) bytes"
                state.frames.removeAll()
                return nil
            }
            state.frames.append(frame)
            return nil
        }
        waiter?.resume(returning: frame)
    }

    /// The next frame to write, waiting for one; `nil` once the session is closing.
    func nextFrame() async -> String? {
        await withCheckedContinuation { continuation in
            let ready: String?? = state.withLock { state in
                if state.closeCode != nil { return .some(nil) }
                if !state.frames.isEmpty {
                    let frame = state.frames.removeFirst()
                    state.queuedBytes -= frame.utf8.count
                    return .some(frame)
                }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Asks the connection to close with `code`; the first reason given wins.
    func close(_ code: RealtimeCloseCode, reason: String) {
        let waiter: CheckedContinuation<String?, Never>? = state.withLock { state in
            if state.closeCode == nil {
                state.closeCode = code
                state.closeReason = reason
            }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Bytes waiting to be written.
    var queuedBytes: Int { state.withLock { $0.queuedBytes } }

    /// Why the session is closing, once it is.
    var closing: (code: RealtimeCloseCode, reason: String)? {
        state.withLock { state in state.closeCode.map { ($0, state.closeReason) } }
    }

    /// Marks the start and end of a socket write, for the write deadline watchdog.
    func writeStarted() { state.withLock { $0.writeStartedAt = DispatchTime.now().uptimeNanoseconds } }
    func writeFinished() { state.withLock { $0.writeStartedAt = nil } }

    /// Seconds the current write has been blocked, 0 when none is in progress.
    var blockedWriteSeconds: Double {
        guard let started = state.withLock({ $0.writeStartedAt }) else { return 0 }
        return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    }
}
