import Foundation
import Synchronization
import Testing

@Suite struct RealtimeShutdownTests {
    /// Stopping the server ends every socket, including one whose client never reads and so
    /// never answers the close handshake: the shutdown does not wait on clients. (It once waited
    /// for such a client until the client itself gave up, 600 s later in this test.)
    @Test(.timeLimit(.minutes(1)))
    func shutdownDoesNotWaitForAClientThatNeverReads() async throws {
        let sockets = Mutex<[LiveSocket]>([])
        try await LiveServer.run { server in
            let silent = try await server.socket("vendas@acme.test", reading: false)
            let reader = try await server.socket("suporte@acme.test")
            reader.send(["type": "subscribe", "id": "s", "sub": "all", "pageSize": 5])
            _ = try await reader.next("snapshot")
            sockets.withLock { $0 = [silent, reader] }
        }
        let (silent, reader) = sockets.withLock { ($0[0], $0[1]) }
        defer { silent.task.cancel() }
        let ended = await reader.closed(seconds: 10)
        #expect(ended.ended, "the reading client's socket is still open after the server stopped")
        // The library's own close (1000) and the server's (1001) race in a bare application.
        #expect(ended.code == 1000 || ended.code == 1001, "closed with \(ended.code.map(String.init) ?? "no code")")
    }
}
