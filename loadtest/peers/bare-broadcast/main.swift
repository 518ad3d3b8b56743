// bare-broadcast: the "transport limit" peer for the fan-out comparison (loadtest/peers/README.md).
//
// Hummingbird 2 + hummingbird-websocket with no inbox logic at all:
//   GET  /sub/<topic>  WebSocket; every message published to <topic> arrives as one text frame.
//   POST /pub/<topic>  body = the message; answered 202 at once, before delivery.
// A topic is a set of subscriber queues. Publishing puts the same (shared, never copied) buffer
// into each subscriber's bounded queue; one task per connection drains its own queue into its
// socket, so a slow reader only fills its own queue. A subscriber whose queue overflows gets what
// it already had queued and is then closed (a "slow consumer", as NATS does), never a silent gap.
//
// Arguments: --port N (required), --host H (default 127.0.0.1), --queue N (messages per
// subscriber queue, default 1024), --threads N (NIO event loops, default one per core),
// --nio-executor (run Swift concurrency's global executor on those event loops instead of its
// own thread pool). start.sh passes `--threads 1 --nio-executor`: the whole server on one thread.
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOPosix
import NIOWebSocket

struct Options {
    var host = "127.0.0.1"
    var port: Int?
    var queue = 1024
    var threads: Int?
    var nioExecutor = false

    static func parse(_ arguments: [String]) -> Options {
        var options = Options()
        var rest = arguments.dropFirst()[...]
        func fail(_ message: String) -> Never {
            FileHandle.standardError.write(Data("bare-broadcast: \(message)\nusage: bare-broadcast --port N [--host H] [--queue N] [--threads N] [--nio-executor]\n".utf8))
            exit(2)
        }
        while let flag = rest.popFirst() {
            if flag == "--nio-executor" {
                options.nioExecutor = true
                continue
            }
            guard let value = rest.popFirst() else { fail("\(flag) needs a value") }
            switch flag {
            case "--port":
                guard let port = Int(value) else { fail("bad --port \(value)") }
                options.port = port
            case "--host":
                options.host = value
            case "--queue":
                guard let queue = Int(value), queue > 0 else { fail("bad --queue \(value)") }
                options.queue = queue
            case "--threads":
                guard let threads = Int(value), (1...64).contains(threads) else { fail("bad --threads \(value)") }
                options.threads = threads
            default: fail("unknown argument \(flag)")
            }
        }
        guard let port = options.port, (1...65535).contains(port) else { fail("--port is required") }
        options.port = port
        return options
    }
}

/// topic → subscriber queues. Publishing takes the topic's array under the lock (a retain, no
/// copy) and yields outside it; subscribe/unsubscribe are O(1) (swap-remove by index).
final class Hub: @unchecked Sendable {
    typealias Queue = AsyncStream<ByteBuffer>.Continuation

    private struct Topic {
        var queues: [Queue] = []
        var ids: [Int] = []
        var indexOf: [Int: Int] = [:]
    }

    private let lock = NSLock()
    private var topics: [String: Topic] = [:]
    private var nextID = 0

    func subscribe(_ topic: String, _ queue: Queue) -> Int {
        lock.lock()
        defer { lock.unlock() }
        nextID += 1
        let id = nextID
        var entry = topics.removeValue(forKey: topic) ?? Topic()
        entry.indexOf[id] = entry.queues.count
        entry.queues.append(queue)
        entry.ids.append(id)
        topics[topic] = entry
        return id
    }

    func unsubscribe(_ topic: String, _ id: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard var entry = topics.removeValue(forKey: topic), let index = entry.indexOf.removeValue(forKey: id) else { return }
        let last = entry.queues.count - 1
        if index != last {
            entry.queues[index] = entry.queues[last]
            entry.ids[index] = entry.ids[last]
            entry.indexOf[entry.ids[index]] = index
        }
        entry.queues.removeLast()
        entry.ids.removeLast()
        if !entry.queues.isEmpty { topics[topic] = entry }
    }

    /// Returns how many subscriber queues took the message.
    @discardableResult
    func publish(_ topic: String, _ message: ByteBuffer) -> Int {
        lock.lock()
        let queues = topics[topic]?.queues ?? []
        lock.unlock()
        var delivered = 0
        for queue in queues {
            switch queue.yield(message) {
            case .enqueued: delivered += 1
            case .dropped: queue.finish() // slow consumer: drain what is queued, then close
            case .terminated: break
            @unknown default: break
            }
        }
        return delivered
    }
}

let options = Options.parse(CommandLine.arguments)
// Both must happen before anything touches the event loops or the global executor.
if let threads = options.threads {
    NIOSingletons.groupLoopCountSuggestion = threads
}
if options.nioExecutor, !NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() {
    FileHandle.standardError.write(Data("bare-broadcast: could not install the NIO event loops as the global executor\n".utf8))
    exit(1)
}
var logger = Logger(label: "bare-broadcast")
logger.logLevel = .warning
let hub = Hub()
let queueLimit = options.queue
let maxBody = 64 * 1024

let router = Router()
router.post("/pub/:topic") { request, context -> Response in
    let topic = try context.parameters.require("topic")
    let body = try await request.body.collect(upTo: maxBody)
    hub.publish(topic, body)
    return Response(status: .accepted)
}

let wsRouter = Router(context: BasicWebSocketRequestContext.self)
wsRouter.ws("/sub/:topic") { inbound, outbound, context in
    guard let topic = context.requestContext.parameters.get("topic") else { return }
    let (queue, continuation) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingOldest(queueLimit))
    let id = hub.subscribe(topic, continuation)
    defer {
        hub.unsubscribe(topic, id)
        continuation.finish()
    }
    await withTaskGroup(of: Void.self) { group in
        // Reading inbound answers pings and notices the client's close; data frames are ignored.
        group.addTask {
            do { for try await _ in inbound {} } catch {}
        }
        group.addTask {
            do {
                for await message in queue {
                    try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: message)))
                }
            } catch {}
        }
        // Whichever ends first (client gone, or slow-consumer close) ends the connection.
        await group.next()
        group.cancelAll()
    }
}

let app = Application(
    router: router,
    server: .http1WebSocketUpgrade(webSocketRouter: wsRouter, configuration: .init()),
    configuration: .init(address: .hostname(options.host, port: options.port!), serverName: "bare-broadcast"),
    logger: logger
)
// SIGTERM/SIGINT stop the process at once, dropping the connections, as nginx's fast shutdown
// and NATS do. (Hummingbird's graceful shutdown would close every WebSocket with a handshake
// and wait for it, which takes long with 20,000 subscribers on one thread.)
signal(SIGTERM) { _ in _exit(0) }
signal(SIGINT) { _ in _exit(0) }
try await app.runService(gracefulShutdownSignals: [])
