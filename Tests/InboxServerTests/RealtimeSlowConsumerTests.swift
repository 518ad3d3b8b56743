import Foundation
import HTTPTypes
import InboxCore
import InboxServer
import InboxStore
import Testing

@Suite struct RealtimeSlowConsumerTests {
    /// A client that stops reading is closed once its queue or a write deadline is exceeded,
    /// while a client that reads keeps receiving every change promptly.
    @Test func aStalledReaderIsClosedAndOthersKeepUp() async throws {
        // The queue limit is well above one batch of changes below (100 × ~0.7 KB), so only a client
        // that stops reading overflows it, however late a loaded machine runs the writer.
        let limits = RealtimeConfiguration(maxMessagesPerSecond: 1_000, maxQueuedBytes: 512 * 1024, writeDeadlineSeconds: 2)
        try await LiveServer.run(realtime: limits) { server in
            let f = server.fixture
            let token = try await server.login("admin@acme.test")
            let stalled = try await StalledClient.connect(
                port: server.port, token: token, subscribe: #"{"type":"subscribe","id":"s","sub":"all","pageSize":200}"#)
            defer { stalled.close() }
            let healthy = try await server.socket("supervisor@acme.test")
            healthy.send(["type": "subscribe", "id": "h", "sub": "all", "pageSize": 1])
            _ = try await healthy.next("snapshot")

            var written = 0
            var stalledEnded = false
            let started = Date()
            // Bounded: at most 30,000 changes or 120 seconds, stopping as soon as the stalled client is gone.
            while written < 30_000, Date().timeIntervalSince(started) < 120 {
                var batchEnd: Int64 = 0
                for _ in 0..<100 {
                    let sent = try await f.store.sendOutbound(
                        OutboundMessage(author: .automation(name: "Robô"), clientMessageID: nil, text: "Lembrete número \(written) " + String(repeating: "·", count: 100)),
                        to: f.conversations[written % 4], in: f.acme)
                    batchEnd = sent.changes[0].sequence
                    written += 1
                }
                // The healthy client reads at its own pace: on a loaded machine a test client that
                // parses every frame can be slower than this loop, and would then rightly be cut
                // as a slow consumer too. Waiting for it keeps it a client that keeps up.
                let awaited = batchEnd
                _ = try await healthy.next("change", where: { $0.int("seq") == awaited }, seconds: 30)
                _ = healthy.drain()
                // Two probes: the first write after the server's close may still be accepted.
                if !(await stalled.probe()), !(await stalled.probe()) { stalledEnded = true; break }
            }
            if !stalledEnded {
                // The write deadline may still be running out.
                for _ in 0..<20 where !stalledEnded {
                    try await Task.sleep(for: .milliseconds(500))
                    stalledEnded = !(await stalled.probe())
                }
            }
            #expect(stalledEnded, "the stalled client was never closed after \(written) changes")
            #expect(written > 100, "closed before its buffers could fill: not for being slow")

            // The reader got everything, in order, and the newest change promptly.
            let last = try await f.store.sendOutbound(
                OutboundMessage(author: .automation(name: "Robô"), clientMessageID: nil, text: "último"), to: f.conversations[0], in: f.acme)
            let lastSequence = last.changes[0].sequence
            _ = try await healthy.next("change", where: { $0.int("seq") == lastSequence }, seconds: 10)
            healthy.send(["type": "ping", "id": "after"])
            _ = try await healthy.next("pong")
        }
    }
}
