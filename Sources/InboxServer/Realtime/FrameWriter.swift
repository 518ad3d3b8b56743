import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// How a connection's frames reach its socket.
///
/// hummingbird-websocket's public writer, `WebSocketOutboundWriter.write`, takes one frame per
/// call, and each call is a hop into the library's handler actor, a hop onto the channel's event
/// loop, a trip through NIO's async writer and the pipeline's frame encoder, and a flush (one
/// `writev`) of its own, after the writer task itself was woken for the frame. NIO's channel
/// writer underneath (`NIOAsyncChannelOutboundWriter.write(contentsOf:)`) could take a batch
/// with one flush, but the library keeps it private, together with the extensions it applies to
/// every outgoing frame; and an extension's public hook cannot be called from outside either
/// (`WebSocketExtensionContext` has no public initializer). So, per connection:
///
/// - **No extension negotiated** (``EventLoopFrameWriter``): the connection's queue is written
///   from the channel's event loop, no task involved. Queueing a frame into an idle session
///   schedules one flush on the loop; the flush takes everything queued by then and writes it
///   as one buffer of ready-made text frames (one allocation, one `write`).
/// - **permessage-deflate negotiated** (``writeEach(_:to:session:)``): its compressor must see
///   every message, in order, with its context (the client inflates with the same history), and
///   only the library can drive it. A writer task takes everything queued at once and hands the
///   frames to the library one by one, as before, without waiting on the queue between them.
///
/// Which one applies is read once per connection from the library's handler by reflection
/// (``inspect(_:)``), since nothing public says what was negotiated; when the fields are not
/// found (another library version), the library path is taken, which is always correct.
/// `RealtimeFrameWriterTests` checks that this library version is still understood.
enum FrameWriter {
    /// Bytes taken from the queue for one write (a larger frame goes alone): NIO's default
    /// high-water mark, so a batch handed to a slow socket leaves about as much buffered as one
    /// frame write used to.
    static var maxBatchBytes: Int { 64 * 1024 }

    /// What the library's handler holds for this connection: its side and the extensions
    /// negotiated. `nil` when the fields are not there. Reads only fields the handler sets once,
    /// when it is made.
    static func inspect(_ outbound: WebSocketOutboundWriter) -> (type: WebSocketType, extensions: [any WebSocketExtension])? {
        guard let handler = Mirror(reflecting: outbound).descendant("handler") else { return nil }
        let fields = Mirror(reflecting: handler)
        guard let type = fields.descendant("type") as? WebSocketType,
              let extensions = fields.descendant("configuration", "extensions") as? [any WebSocketExtension]
        else { return nil }
        return (type, extensions)
    }

    /// The library path: each frame through `outbound` in order, each write's blocked time
    /// marked for the watchdog. Frames still queued when the session closes are dropped
    /// (protocol.md, W10). Throws once the socket or the library's writer is closed.
    static func writeEach(_ frames: [String], to outbound: WebSocketOutboundWriter, session: ClientSession) async throws {
        for frame in frames {
            guard session.closing == nil else { return }
            session.writeStarted()
            defer { session.writeFinished() }
            try await outbound.write(.text(frame))
        }
    }
}

/// Writes a session's frames from its channel's event loop, below the pipeline's WebSocket frame
/// encoder: the frames are encoded here, all of a batch into one buffer.
///
/// Order and the guarantees around it:
/// - One flush at a time per session (the session schedules the next only after a flush found
///   the queue empty), always on the channel's loop, taking frames in queue order.
/// - The library's own frames (pings, pongs, the close frame) reach the same loop through its
///   writer; they go between batches, never inside one. The connection sends its close frame
///   only after the session is closing, and a flush that runs after that drops what is queued;
///   a flush already scheduled runs first (the loop runs its tasks in order).
/// - Backpressure: when a write leaves the channel unwritable (more than NIO's high-water mark
///   pending), the flush stops, the write counts as blocked for the watchdog
///   (``ClientSession/writeStarted()``), and flushing resumes once that write has reached the
///   socket. Meanwhile frames wait in the session's bounded queue, as before.
final class EventLoopFrameWriter: SessionFlusher {
    private let channel: any Channel
    private let session: ClientSession
    /// The frame encoder's place in the pipeline: writing from it skips the encoder.
    private let encoder: NIOLoopBound<ChannelHandlerContext>

    private init(channel: any Channel, session: ClientSession, encoder: NIOLoopBound<ChannelHandlerContext>) {
        self.channel = channel
        self.session = session
        self.encoder = encoder
    }

    /// A writer for a connection that negotiated no extension, `nil` for others (and when the
    /// pipeline has no WebSocket frame encoder).
    static func make(for outbound: WebSocketOutboundWriter, channel: any Channel, session: ClientSession) async -> EventLoopFrameWriter? {
        guard let negotiated = FrameWriter.inspect(outbound), negotiated.type == .server, negotiated.extensions.isEmpty else { return nil }
        let encoder = try? await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self), eventLoop: channel.eventLoop)
        }.get()
        return encoder.map { EventLoopFrameWriter(channel: channel, session: session, encoder: $0) }
    }

    func scheduleFlush() {
        channel.eventLoop.execute { self.flush() }
    }

    /// On the channel's loop: writes what is queued, a batch per write, until the queue is empty
    /// or the socket is full.
    private func flush() {
        let encoder = encoder.value
        while let frames = session.framesToFlush(maxBytes: FrameWriter.maxBatchBytes) {
            var buffer = channel.allocator.buffer(capacity: frames.reduce(0) { $0 + $1.utf8.count + 10 })
            for frame in frames { buffer.writeWebSocketTextFrame(frame) }
            let written = channel.eventLoop.makePromise(of: Void.self)
            encoder.writeAndFlush(NIOAny(buffer), promise: written)
            guard channel.isWritable else {
                session.writeStarted()
                written.futureResult.whenComplete { result in
                    self.session.writeFinished()
                    // A failed write means the socket is gone: the reader ends the session.
                    if case .success = result { self.channel.eventLoop.execute { self.flush() } }
                }
                return
            }
        }
    }
}

extension ByteBuffer {
    /// A final, unmasked text frame (a server's) carrying `text`.
    mutating func writeWebSocketTextFrame(_ text: String) {
        let length = text.utf8.count
        writeInteger(UInt8(0x81))
        if length < 126 {
            writeInteger(UInt8(length))
        } else if length <= Int(UInt16.max) {
            writeInteger(UInt8(126))
            writeInteger(UInt16(length))
        } else {
            writeInteger(UInt8(127))
            writeInteger(UInt64(length))
        }
        writeString(text)
    }
}
