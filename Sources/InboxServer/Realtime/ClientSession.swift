import Foundation
import InboxCore
import Synchronization

/// Writes a session's frames from outside Swift concurrency (the connection's event loop).
protocol SessionFlusher: AnyObject, Sendable {
    /// Frames are waiting: write them soon. Not called again until the session's
    /// ``ClientSession/framesToFlush(maxBytes:)`` has returned `nil`.
    func scheduleFlush()
}

/// One WebSocket connection's outbound side: a queue bounded in bytes, drained by the
/// connection's writer. The hub only ever enqueues, never waits on a socket, so one client
/// that stops reading cannot slow anyone else down; when its queue overflows it is closed.
///
/// The writer is either a task that waits in ``nextFrames(maxBytes:)``, or a ``SessionFlusher``
/// that is told when frames are waiting and takes them with ``framesToFlush(maxBytes:)``. Either
/// way it takes everything queued at that moment, so frames queued while it wrote leave together.
final class ClientSession: Sendable {
    let id: Int
    let agent: Agent
    let tokenHash: String?

    private struct State {
        /// Queued frames are `frames[head...]`; taken ones before `head` are dropped in bulk.
        var frames: [String] = []
        var head = 0
        var queuedBytes = 0
        /// A task waiting for frames (``nextFrames(maxBytes:)``) or for the session to close
        /// (``waitUntilClosing()``).
        var waiter: CheckedContinuation<Void, Never>?
        var flusher: (any SessionFlusher)?
        /// The flusher was told and has not yet found the queue empty.
        var flushScheduled = false
        var closeCode: RealtimeCloseCode?
        var closeReason = ""
        var writeStartedAt: UInt64?

        var isEmpty: Bool { head == frames.count }
    }

    private enum Wake {
        case none
        case task(CheckedContinuation<Void, Never>)
        case flusher(any SessionFlusher)

        func callAsFunction() {
            switch self {
            case .none: break
            case .task(let continuation): continuation.resume()
            case .flusher(let flusher): flusher.scheduleFlush()
            }
        }
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
    /// A frame alone in the queue is always accepted: the writer takes it next.
    func enqueue(_ frame: String) {
        let wake: Wake = state.withLock { state in
            guard state.closeCode == nil else { return .none }
            state.queuedBytes += frame.utf8.count
            if state.queuedBytes > maxQueuedBytes, !state.isEmpty {
                state.closeCode = .slowConsumer
                state.closeReason = "outbound queue over \(maxQueuedBytes) bytes"
                state.frames.removeAll()
                state.head = 0
                state.queuedBytes = 0
                return Self.takeWaiter(&state)
            }
            state.frames.append(frame)
            if let flusher = state.flusher {
                guard !state.flushScheduled else { return .none }
                state.flushScheduled = true
                return .flusher(flusher)
            }
            return Self.takeWaiter(&state)
        }
        wake()
    }

    private static func takeWaiter(_ state: inout State) -> Wake {
        guard let waiter = state.waiter else { return .none }
        state.waiter = nil
        return .task(waiter)
    }

    // MARK: Writer task

    /// Every frame queued now, in order, up to about `maxBytes` (at least one frame), waiting
    /// for one when the queue is empty; `nil` once the session is closing. The writer calls this
    /// once per socket write, so frames queued while it wrote go out together in the next one.
    func nextFrames(maxBytes: Int) async -> [String]? {
        while true {
            if let taken = state.withLock({ Self.take(&$0, maxBytes: maxBytes) }) { return taken }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state in
                    if state.closeCode != nil || !state.isEmpty { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    /// Returns once the session is closing.
    func waitUntilClosing() async {
        while closing == nil {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let closed = state.withLock { state in
                    if state.closeCode != nil { return true }
                    state.waiter = continuation
                    return false
                }
                if closed { continuation.resume() }
            }
        }
    }

    // MARK: Flusher

    /// Hands the queue to `flusher` (`nil` gives it back); frames already queued are flushed.
    func attach(_ flusher: (any SessionFlusher)?) {
        let wake: Wake = state.withLock { state in
            state.flusher = flusher
            state.flushScheduled = false
            guard let flusher, !state.isEmpty, state.closeCode == nil else { return .none }
            state.flushScheduled = true
            return .flusher(flusher)
        }
        wake()
    }

    /// For the flusher: everything queued now, up to about `maxBytes` (at least one frame).
    /// `nil` when there is nothing to write, or the session is closing (what is queued then is
    /// dropped, not sent): the flush is over, and the next frame queued schedules another.
    func framesToFlush(maxBytes: Int) -> [String]? {
        state.withLock { state in
            guard let taken = Self.take(&state, maxBytes: maxBytes), let frames = taken else {
                state.flushScheduled = false
                return nil
            }
            return frames
        }
    }

    /// Takes queued frames: `.some(nil)` when closing, `nil` when there is nothing to take.
    private static func take(_ state: inout State, maxBytes: Int) -> [String]?? {
        if state.closeCode != nil { return .some(nil) }
        guard !state.isEmpty else { return nil }
        var end = state.head
        var bytes = 0
        while end < state.frames.count {
            let size = state.frames[end].utf8.count
            if end > state.head, bytes + size > maxBytes { break }
            bytes += size
            end += 1
        }
        let taken: [String]
        if state.head == 0, end == state.frames.count {
            taken = state.frames
            state.frames = []
        } else {
            taken = Array(state.frames[state.head..<end])
            state.head = end
            if state.isEmpty {
                state.frames.removeAll(keepingCapacity: true)
                state.head = 0
            } else if state.head >= 64, state.head * 2 >= state.frames.count {
                state.frames.removeFirst(state.head)
                state.head = 0
            }
        }
        state.queuedBytes -= bytes
        return .some(taken)
    }

    /// Asks the connection to close with `code`; the first reason given wins.
    func close(_ code: RealtimeCloseCode, reason: String) {
        let wake: Wake = state.withLock { state in
            if state.closeCode == nil {
                state.closeCode = code
                state.closeReason = reason
            }
            return Self.takeWaiter(&state)
        }
        wake()
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
