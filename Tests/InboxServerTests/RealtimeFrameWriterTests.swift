import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWebSocket
import HummingbirdWSClient
import HummingbirdWSCompression
import InboxCore
@testable import InboxServer
import InboxStore
import Logging
import NIOCore
import NIOWebSocket
import Synchronization
import Testing

/// The connection writer: frames queued in a burst leave together, complete, in order, as UTF-8
/// text, and correctly compressed when permessage-deflate is negotiated.
@Suite struct RealtimeFrameWriterTests {
    /// How the server side wrote, for the test to check after the socket closed.
    final class Record: Sendable {
        /// Whether the connection was written from its event loop (no extension negotiated).
        let fromEventLoop = Mutex<Bool?>(nil)
        /// Batches the writer task took (library path only).
        let batches = Mutex(0)
    }

    /// A request context that keeps the channel, as the server's own does.
    struct ChannelContext: RequestContext, WebSocketRequestContext {
        var coreContext: CoreRequestContextStorage
        let webSocket = WebSocketHandlerReference<Self>()
        let channel: any Channel

        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
            channel = source.channel
        }
    }

    /// A frame of the test's burst: sizes from a few bytes to past the 256-byte threshold of
    /// compression and past the 64 KiB batch limit, with text that is not ASCII.
    static func frame(_ index: Int) -> String {
        let padding = String(repeating: "ação ✓ 日本 ", count: [0, 3, 40, 400, 7_000][index % 5])
        return #"{"type":"change","seq":\#(index),"text":"\#(padding)\#(index)"}"#
    }

    /// Runs a server whose socket handler writes a session's queue the way `RealtimeConnection`
    /// does: `queued` frames are queued before the writer starts, `streamed` more while it
    /// writes. The client reads them all and closes.
    func burst(deflate: Bool, queued: Int, streamed: Int) async throws -> (received: [String], record: Record) {
        let record = Record()
        let total = queued + streamed
        let router = Router(context: ChannelContext.self)
        router.ws("ws") { inbound, outbound, context in
            let agent = Agent(id: AgentID(1), workspaceID: WorkspaceID(1), name: "A", email: "a@x.test", role: .admin, departmentIDs: [])
            let session = ClientSession(id: 1, agent: agent, tokenHash: nil, maxQueuedBytes: 1 << 30)
            for index in 0..<queued { session.enqueue(Self.frame(index)) }
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for index in queued..<total {
                        session.enqueue(Self.frame(index))
                        if index % 7 == 0 { await Task.yield() }
                    }
                }
                group.addTask {
                    // Like the connection's reader: the client's close ends the session.
                    do { for try await _ in inbound {} } catch {}
                    session.close(.goingAway, reason: RealtimeConnection<SQLiteStore>.clientClosedReason)
                }
                let writer = await EventLoopFrameWriter.make(for: outbound, channel: context.requestContext.channel, session: session)
                record.fromEventLoop.withLock { $0 = writer != nil }
                if let writer {
                    session.attach(writer)
                    await session.waitUntilClosing()
                    session.attach(nil)
                } else {
                    while let frames = await session.nextFrames(maxBytes: FrameWriter.maxBatchBytes) {
                        record.batches.withLock { $0 += 1 }
                        do { try await FrameWriter.writeEach(frames, to: outbound, session: session) } catch { break }
                    }
                }
                await group.waitForAll()
            }
        }
        let app = Application(
            router: Router(),
            server: .http1WebSocketUpgrade(
                webSocketRouter: router,
                configuration: .init(ws: .init(maxFrameSize: 1 << 20, extensions: [.perMessageDeflate(maxDecompressedFrameSize: 1 << 20)], validateUTF8: true))),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: { var logger = Logger(label: "frame-writer-test"); logger.logLevel = .warning; return logger }())
        let received = Mutex<[String]>([])
        try await app.test(.live) { client in
            let port = try #require(client.port)
            var logger = Logger(label: "frame-writer-client")
            logger.logLevel = .warning
            _ = try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)/ws",
                configuration: .init(maxFrameSize: 1 << 20, extensions: deflate ? [.perMessageDeflate(maxDecompressedFrameSize: 1 << 20)] : [], validateUTF8: true),
                logger: logger
            ) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    let count = received.withLock { $0.append(text); return $0.count }
                    if count == total { break }
                }
            }
        }
        return (received.withLock { $0 }, record)
    }

    @Test(arguments: [false, true])
    func aBurstArrivesCompleteAndInOrder(deflate: Bool) async throws {
        let (received, record) = try await burst(deflate: deflate, queued: 1_500, streamed: 1_500)
        #expect(received.count == 3_000)
        let mismatch = received.indices.first { received[$0] != Self.frame($0) }
        #expect(mismatch == nil, "frame \(mismatch ?? -1) differs or is out of place")
        // Compression needs the library; without it, the event loop writes.
        #expect(record.fromEventLoop.withLock { $0 } == !deflate)
        if deflate {
            let batches = record.batches.withLock { $0 }
            #expect(batches > 0 && batches < 3_000, "\(batches) batches for 3,000 frames")
        }
    }

    /// The reflection into hummingbird-websocket's handler still finds what the fast path needs,
    /// on the client side here (the same handler type as the server's).
    @Test(arguments: [false, true])
    func theWebSocketLibraryIsUnderstood(deflate: Bool) async throws {
        try await LiveServer.run { server in
            let token = try await server.login("admin@acme.test")
            let found = Mutex<(type: String, extensions: [String])?>(nil)
            var logger = Logger(label: "frame-writer-client")
            logger.logLevel = .warning
            _ = try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(server.port)/ws",
                configuration: .init(
                    additionalHeaders: [.authorization: "Bearer \(token)", .secWebSocketProtocol: "switchboard.v1"],
                    extensions: deflate ? [.perMessageDeflate()] : []),
                logger: logger
            ) { _, outbound, _ in
                let inspected = FrameWriter.inspect(outbound)
                found.withLock { $0 = inspected.map { ("\($0.type)", $0.extensions.map(\.name)) } }
                try await outbound.close(.normalClosure, reason: nil)
            }
            let result = try #require(found.withLock { $0 }, "FrameWriter.inspect no longer understands this hummingbird-websocket version")
            #expect(result.type == "client")
            #expect(result.extensions == (deflate ? ["permessage-deflate"] : []))
        }
    }

    /// End to end: changes written in a burst reach a subscriber complete and in sequence order,
    /// with and without permessage-deflate.
    @Test(arguments: [false, true])
    func changesWrittenInABurstAllArrive(deflate: Bool) async throws {
        try await LiveServer.run(realtime: RealtimeConfiguration(maxMessagesPerSecond: 1_000)) { server in
            let f = server.fixture
            let socket = try await LiveSocket.connect(port: server.port, token: try await server.login("admin@acme.test"), deflate: deflate)
            socket.send(["type": "subscribe", "id": "a", "sub": "all", "pageSize": 200])
            _ = try await socket.next("snapshot")
            var expected: [Int64] = []
            for index in 0..<300 {
                let result = try await f.store.sendOutbound(
                    OutboundMessage(
                        author: .automation(name: "Robô"), clientMessageID: nil,
                        text: "Lembrete nº \(index) " + String(repeating: "ação ✓ ", count: index % 60)),
                    to: f.conversations[index % 4], in: f.acme)
                expected.append(contentsOf: result.changes.map(\.sequence))
            }
            let last = try #require(expected.max())
            _ = try await socket.next("change", where: { $0.int("seq") == last }, seconds: 20)
            let sequences = socket.log.filter { $0.type == "change" }.compactMap { $0.int("seq") }
            #expect(zip(sequences, sequences.dropFirst()).allSatisfy { $0 < $1 }, "change frames out of sequence order")
            #expect(Set(expected).isSubset(of: Set(sequences)), "\(Set(expected).subtracting(sequences).count) changes never arrived")
        }
    }
}
