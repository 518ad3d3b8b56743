import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// One client WebSocket, lean enough for tens of thousands per process: no per-message
/// allocation beyond the frame's buffer, every callback on the connection's event loop.
/// All state is confined to that loop, which is why it is `@unchecked Sendable`.
final class WebSocketClient: @unchecked Sendable {
    let channel: any Channel
    /// Called with each complete text message (continuations reassembled).
    var onText: (ByteBuffer) -> Void = { _ in }
    /// Called once when the socket ends, with the close code the server sent (nil: no close frame).
    var onClose: (UInt16?) -> Void = { _ in }
    fileprivate var closeCode: UInt16?

    fileprivate init(channel: any Channel) { self.channel = channel }

    var eventLoop: any EventLoop { channel.eventLoop }

    /// Sends one text message (masked, as RFC 6455 requires of clients).
    func send(_ text: String) {
        var buffer = channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        send(buffer)
    }

    func send(_ buffer: ByteBuffer) {
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer)
        channel.writeAndFlush(frame, promise: nil)
    }

    /// Ends the socket with a close frame, then the TCP connection.
    func close() {
        var data = channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: .normalClosure)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
        channel.writeAndFlush(frame).whenComplete { [channel] _ in channel.close(promise: nil) }
    }

    struct UpgradeRefused: Error, CustomStringConvertible {
        let status: HTTPResponseStatus
        var description: String { "upgrade refused: \(status.code)" }
    }

    /// Opens `ws://host:port/path`, from `localAddress` when given (to use more ephemeral ports
    /// than one source address has).
    static func connect(
        on eventLoop: any EventLoop, host: String, port: Int, path: String, headers: [(String, String)],
        localAddress: String? = nil, maxMessageBytes: Int = 4 << 20
    ) -> EventLoopFuture<WebSocketClient> {
        let opened = eventLoop.makePromise(of: WebSocketClient.self)
        var bootstrap = ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .connectTimeout(.seconds(30))
            .channelInitializer { channel in
                let request = UpgradeRequestHandler(host: host, port: port, path: path, headers: headers, opened: opened)
                let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: maxMessageBytes, automaticErrorHandling: false) { channel, _ in
                    let client = WebSocketClient(channel: channel)
                    do {
                        try channel.pipeline.syncOperations.addHandler(FrameHandler(client: client, maxMessageBytes: maxMessageBytes))
                        opened.succeed(client)
                    } catch {
                        opened.fail(error)
                    }
                    return channel.eventLoop.makeSucceededVoidFuture()
                }
                let upgrade: NIOHTTPClientUpgradeSendableConfiguration = (
                    upgraders: [upgrader],
                    completionHandler: { context in context.pipeline.syncOperations.removeHandler(request, promise: nil) })
                do {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(leftOverBytesStrategy: .forwardBytes, withClientUpgrade: upgrade)
                    try channel.pipeline.syncOperations.addHandler(request)
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        if let localAddress {
            do {
                bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: localAddress, port: 0))
            } catch {
                opened.fail(error)
                return opened.futureResult
            }
        }
        bootstrap.connect(host: host, port: port).whenFailure { opened.fail($0) }
        return opened.futureResult
    }
}

/// Sends the upgrade request once connected; a non-101 answer fails the connect.
private final class UpgradeRequestHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let host: String, port: Int, path: String, headers: [(String, String)]
    let opened: EventLoopPromise<WebSocketClient>

    init(host: String, port: Int, path: String, headers: [(String, String)], opened: EventLoopPromise<WebSocketClient>) {
        self.host = host; self.port = port; self.path = path; self.headers = headers; self.opened = opened
    }

    func channelActive(context: ChannelHandlerContext) {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: "\(host):\(port)")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let response) = unwrapInboundIn(data), response.status != .switchingProtocols {
            opened.fail(WebSocketClient.UpgradeRefused(status: response.status))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        opened.fail(error)
        context.close(promise: nil)
    }

    /// Closed before any answer: the connect fails (a promise completes only once, so after a
    /// successful upgrade this does nothing).
    func channelInactive(context: ChannelHandlerContext) {
        opened.fail(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }
}

/// Reassembles text messages, answers pings, and reports the close code.
private final class FrameHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let client: WebSocketClient
    let maxMessageBytes: Int
    private var partial: ByteBuffer?

    init(client: WebSocketClient, maxMessageBytes: Int) {
        self.client = client
        self.maxMessageBytes = maxMessageBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        // Binary messages are handed over like text: NATS sends its protocol in binary frames.
        case .text where frame.fin, .binary where frame.fin:
            client.onText(frame.unmaskedData)
        case .text, .binary:
            partial = frame.unmaskedData
        case .continuation:
            guard var buffer = partial else { return }
            var piece = frame.unmaskedData
            buffer.writeBuffer(&piece)
            if frame.fin {
                partial = nil
                client.onText(buffer)
            } else if buffer.readableBytes > maxMessageBytes {
                partial = nil
                context.close(promise: nil)
            } else {
                partial = buffer
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            var data = frame.unmaskedData
            client.closeCode = data.readInteger(as: UInt16.self)
            context.close(promise: nil)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        client.onClose(client.closeCode)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
