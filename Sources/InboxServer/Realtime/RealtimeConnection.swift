import CoreMetrics
import Foundation
import HTTPTypes
import HummingbirdWebSocket
import InboxCore
import InboxStore
import Logging
import NIOCore
import NIOWebSocket
import ServiceLifecycle

/// Runs one WebSocket: a reader that assembles and bounds inbound messages and dispatches them,
/// and a writer that drains the session's queue (``ConnectionSupervisor`` watches for stuck
/// writes and ended sessions).
struct RealtimeConnection<Store: InboxStore> {
    let hub: RealtimeHub<Store>
    let actions: RealtimeActions<Store>
    let supervisor: ConnectionSupervisor<Store>
    let configuration: RealtimeConfiguration
    let session: ClientSession
    let channel: any Channel
    let logger: Logger

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        // Slow consumers and session re-checks are watched by the supervisor, for all sockets at once.
        supervisor.watch(session, channel: channel)
        defer { supervisor.forget(session) }
        // On graceful shutdown the library sends its own close frame and then waits for this
        // handler to return; a client that never reads never answers it, so the session must
        // close here too or the handler (and the shutdown) would wait for the client forever.
        await withGracefulShutdownHandler {
            await serve(inbound: inbound, outbound: outbound)
        } onGracefulShutdown: { [session] in
            session.close(.goingAway, reason: RealtimeDrain<Store>.reason)
        }
        await hub.disconnect(session)
    }

    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await write(outbound)
                return true
            }
            group.addTask {
                await read(inbound)
                // A reader that stopped on a violation already set its close code; this is for
                // a client that closed or vanished.
                session.close(.goingAway, reason: Self.clientClosedReason)
                return false
            }
            // The writer ends last: once the session is closing it sends the close frame.
            while let writerEnded = await group.next(), !writerEnded {}
            group.cancelAll()
        }
    }

    // MARK: Writer

    /// Drains the session's queue (``FrameWriter``), everything queued at once, until the
    /// session closes; then sends the close frame.
    private func write(_ outbound: WebSocketOutboundWriter) async {
        if let writer = await EventLoopFrameWriter.make(for: outbound, channel: channel, session: session) {
            // Frames go out from the channel's event loop as they are queued.
            session.attach(writer)
            await session.waitUntilClosing()
            session.attach(nil)
        } else {
            while let frames = await session.nextFrames(maxBytes: FrameWriter.maxBatchBytes) {
                do {
                    try await FrameWriter.writeEach(frames, to: outbound, session: session)
                } catch {
                    return
                }
            }
        }
        guard let (code, reason) = session.closing, reason != Self.clientClosedReason else { return }
        // A blocked socket would block the close frame too: give it a moment, then cut the
        // connection (which fails the blocked write; cancelling it alone does not end it).
        let channel = channel
        try? await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await outbound.close(.unknown(code.rawValue), reason: reason) }
            group.addTask {
                try await Task.sleep(for: .seconds(2))
                channel.close(mode: .all, promise: nil)
            }
            try await group.next()
            group.cancelAll()
        }
    }

    // MARK: Reader

    /// Reads frames and hands complete messages to one task that handles them in order. Reading
    /// never waits for a request to be handled, so the client's pongs (and close) are seen at
    /// once even while a slow request runs; otherwise a busy server would drop healthy sockets
    /// as "Ping timeout". At most `maxWaitingRequests` wait; beyond that reading pauses.
    private func read(_ inbound: WebSocketInboundStream) async {
        let (requests, queue) = AsyncStream<String>.makeStream()
        let waiting = WaitingRequests()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in requests {
                    await RealtimeRequests(hub: hub, actions: actions, configuration: configuration, session: session).handle(text)
                    waiting.finishOne()
                    if session.closing != nil { return }
                }
            }
            await readFrames(inbound) { text in
                while waiting.count >= Self.maxWaitingRequests, session.closing == nil {
                    try? await Task.sleep(for: .milliseconds(5))
                }
                waiting.startOne()
                queue.yield(text)
            }
            queue.finish()
            // Requests already read are still handled (their answers queued) unless closing.
            await group.waitForAll()
        }
    }

    static var maxWaitingRequests: Int { 64 }

    /// The close reason of a client that closed or vanished: no close frame is owed to it.
    static var clientClosedReason: String { "client closed" }

    private func readFrames(_ inbound: WebSocketInboundStream, _ deliver: (String) async -> Void) async {
        var limiter = RateLimiter(perSecond: configuration.maxMessagesPerSecond)
        var message = ByteBuffer()
        var frames = 0
        do {
            for try await frame in inbound {
                switch frame.opcode {
                case .binary:
                    return session.close(.policyViolation, reason: "binary messages are not part of switchboard.v1")
                case .text:
                    message.clear()
                    frames = 0
                case .continuation:
                    break
                }
                frames += 1
                guard frames <= configuration.maxFramesPerMessage else {
                    return session.close(.policyViolation, reason: "a message may span at most \(configuration.maxFramesPerMessage) frames")
                }
                guard message.readableBytes + frame.data.readableBytes <= configuration.maxMessageBytes else {
                    return session.close(.messageTooBig, reason: "messages are limited to \(configuration.maxMessageBytes) bytes")
                }
                var data = frame.data
                message.writeBuffer(&data)
                guard frame.fin else { continue }
                guard limiter.allow() else {
                    return session.close(.rateLimited, reason: "more than \(configuration.maxMessagesPerSecond) messages per second")
                }
                guard let text = String(validating: message.readableBytesView, as: UTF8.self) else {
                    return session.close(.policyViolation, reason: "text messages must be valid UTF-8")
                }
                await deliver(text)
                if session.closing != nil { return }
            }
        } catch {
            logger.debug("websocket read ended", metadata: ["error": "\(error)"])
        }
    }
}

/// How many read messages wait for (or are in) their handling.
private final class WaitingRequests: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    var count: Int { lock.withLock { value } }
    func startOne() { lock.withLock { value += 1 } }
    func finishOne() { lock.withLock { value -= 1 } }
}

/// A token bucket: `perSecond` sustained, bursts of twice that.
struct RateLimiter {
    private let perSecond: Double
    private var tokens: Double
    private var last = DispatchTime.now().uptimeNanoseconds

    init(perSecond: Int) {
        self.perSecond = Double(perSecond)
        tokens = Double(perSecond) * 2
    }

    mutating func allow() -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        tokens = min(perSecond * 2, tokens + Double(now - last) / 1e9 * perSecond)
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
