import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWSCompression
import InboxCore
import InboxServer
import Logging
import NIOCore
import NIOWebSocket
import Synchronization
import Testing

/// A JSON object received on a socket.
struct Frame: @unchecked Sendable {
    let object: [String: Any]
    var type: String? { object["type"] as? String }
    subscript(key: String) -> Any? { object[key] }
    func int(_ key: String) -> Int64? { (object[key] as? NSNumber)?.int64Value }
    var lists: [[String: Any]] { (object["lists"] as? [[String: Any]]) ?? [] }
    func list(_ sub: String) -> [String: Any]? { lists.first { $0["sub"] as? String == sub } }
}

/// A WebSocket client for tests: frames it receives are queued for `next`, and what it sends
/// goes through `send` (or `sendRaw` for hand-made frames).
final class LiveSocket: Sendable {
    enum Outgoing: Sendable {
        case text(String)
        case frame(WebSocketFrame)
        case close
    }

    /// What the socket task and the test share.
    final class State: Sendable {
        let received = Mutex<[Frame]>([])
        let closeCode = Mutex<UInt16?>(nil)
        let finished = Mutex(false)
        let hello = Mutex<Frame?>(nil)
        /// Every frame received, in arrival order, never consumed.
        let log = Mutex<[Frame]>([])
        /// How many `batch` messages arrived.
        let batches = Mutex(0)
    }

    private let state = State()
    private let outgoing: AsyncStream<Outgoing>.Continuation
    let task: Task<Void, Never>

    /// Connects and waits for the server's `hello`; `reading: false` stops consuming frames.
    static func connect(
        port: Int, token: String?, headers extra: HTTPFields = [:], query: String = "", reading: Bool = true, deflate: Bool = false
    ) async throws -> LiveSocket {
        let socket = LiveSocket(port: port, token: token, headers: extra, query: query, reading: reading, deflate: deflate)
        if reading { socket.state.hello.withLock { $0 = nil } ; let hello = try await socket.next("hello"); socket.state.hello.withLock { $0 = hello } }
        return socket
    }

    private init(port: Int, token: String?, headers extra: HTTPFields, query: String, reading: Bool, deflate: Bool) {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if headers[.secWebSocketProtocol] == nil { headers[.secWebSocketProtocol] = "switchboard.v1" }
        let (stream, continuation) = AsyncStream<Outgoing>.makeStream()
        outgoing = continuation
        let state = state
        var logger = Logger(label: "test-socket")
        logger.logLevel = .warning
        let readsFrames = reading
        task = Task {
            let frame: WebSocketCloseFrame?
            do {
                frame = try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)/ws\(query)", configuration: .init(
                        maxFrameSize: 1 << 20, additionalHeaders: headers, extensions: deflate ? [.perMessageDeflate(maxDecompressedFrameSize: 1 << 22)] : []
                    ), logger: logger
            ) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await item in stream {
                            switch item {
                            case .text(let text): try await outbound.write(.text(text))
                            case .frame(let frame): try await outbound.write(.custom(frame))
                            case .close: try await outbound.close(.normalClosure, reason: nil); return
                            }
                        }
                    }
                    group.addTask {
                        guard readsFrames else {
                            try await Task.sleep(for: .seconds(600))
                            return
                        }
                        for try await message in inbound.messages(maxSize: 1 << 22) {
                            guard case .text(let text) = message,
                                  let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { continue }
                            // A `batch` carries several pushes in order: a client handles each in turn.
                            let frames = object["type"] as? String == "batch"
                                ? ((object["frames"] as? [[String: Any]]) ?? []).map(Frame.init(object:)) : [Frame(object: object)]
                            state.batches.withLock { $0 += object["type"] as? String == "batch" ? 1 : 0 }
                            state.received.withLock { $0.append(contentsOf: frames) }
                            state.log.withLock { $0.append(contentsOf: frames) }
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
            } catch {
                print("test socket failed: \(error)")
                frame = nil
            }
            state.closeCode.withLock { code in
                if case .unknown(let raw) = frame?.closeCode { code = raw } else if let frame { code = UInt16(webSocketErrorCode: frame.closeCode) }
            }
            state.finished.withLock { $0 = true }
        }
    }

    /// Every frame received so far, in arrival order.
    var log: [Frame] { state.log.withLock { $0 } }

    /// How many `batch` messages carried them.
    var batchCount: Int { state.batches.withLock { $0 } }

    /// The server's `hello`, for sockets that read.
    var hello: Frame? { state.hello.withLock { $0 } }

    func send(_ object: [String: Any]) {
        let data = try! JSONSerialization.data(withJSONObject: object)
        outgoing.yield(.text(String(decoding: data, as: UTF8.self)))
    }

    func sendText(_ text: String) { outgoing.yield(.text(text)) }
    func sendRaw(_ frame: WebSocketFrame) { outgoing.yield(.frame(frame)) }
    func close() { outgoing.yield(.close) }

    /// The next frame of `type` (others before it are kept), waiting up to `seconds`.
    func next(_ type: String, where predicate: @Sendable (Frame) -> Bool = { _ in true }, seconds: Double = 5) async throws -> Frame {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let found: Frame? = state.received.withLock { frames in
                guard let index = frames.firstIndex(where: { $0.type == type && predicate($0) }) else { return nil }
                return frames.remove(at: index)
            }
            if let found { return found }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw SocketTimeout(waitingFor: type, pending: state.received.withLock { $0.compactMap(\.type) })
    }

    /// Every frame received so far and not yet taken, removed from the queue.
    func drain() -> [Frame] { state.received.withLock { frames in defer { frames.removeAll() }; return frames } }

    /// The close code the server sent, once the connection ended (waits up to `seconds`).
    func closed(seconds: Double = 10) async -> (ended: Bool, code: UInt16?) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if state.finished.withLock({ $0 }) { return (true, state.closeCode.withLock { $0 }) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return (false, nil)
    }

    struct SocketTimeout: Error, CustomStringConvertible {
        var waitingFor: String
        var pending: [String]
        var description: String { "no \(waitingFor) frame arrived; pending: \(pending)" }
    }
}

extension UInt16 {
    init(webSocketErrorCode code: WebSocketErrorCode) {
        switch code {
        case .normalClosure: self = 1000
        case .goingAway: self = 1001
        case .protocolError: self = 1002
        case .unacceptableData: self = 1003
        case .dataInconsistentWithMessage: self = 1007
        case .policyViolation: self = 1008
        case .messageTooLarge: self = 1009
        case .missingExtension: self = 1010
        case .unexpectedServerError: self = 1011
        case .unknown(let raw): self = raw
        }
    }
}

/// The whole application, sockets included, on port 0 over the fixture's store.
struct LiveServer {
    let port: Int
    let fixture: InboxFixture
    let client: any TestClientProtocol

    static func run(
        realtime: RealtimeConfiguration = RealtimeConfiguration(), configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (LiveServer) async throws -> Void
    ) async throws {
        let base = try await InboxFixture.make()
        var configuration = base.configuration
        configuration.realtime = realtime
        configuration.port = 0
        configure(&configuration)
        var logger = Logger(label: "switchboard-test")
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG"] == "debug" ? .debug : .warning
        let app = try buildApplication(store: base.store, configuration: configuration, logger: logger)
        try await app.test(.live) { client in
            try await body(LiveServer(port: try #require(client.port), fixture: base, client: client))
        }
    }

    func login(_ email: String) async throws -> String {
        let body = try JSONSerialization.data(withJSONObject: ["email": email, "password": InboxFixture.password])
        return try await client.execute(uri: "/api/v1/auth/login", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body)) { response in
            let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
            return try #require(object?["token"] as? String)
        }
    }

    func socket(_ email: String, reading: Bool = true) async throws -> LiveSocket {
        try await LiveSocket.connect(port: port, token: try await login(email), reading: reading)
    }
}
