import Foundation
import NIOCore
import NIOPosix

/// A WebSocket client that upgrades, subscribes, and then never reads: the kernel buffers fill
/// and the server sees a client that stopped reading. Built on a raw socket because WebSocket
/// client libraries keep reading into memory.
struct StalledClient {
    let channel: any Channel

    static func connect(port: Int, token: String, subscribe: String) async throws -> StalledClient {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.autoRead, value: false)
            .channelOption(ChannelOptions.socketOption(.so_rcvbuf), value: 4096)
            .connect(host: "127.0.0.1", port: port).get()
        let upgrade = [
            "GET /ws HTTP/1.1", "Host: 127.0.0.1:\(port)", "Upgrade: websocket", "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Protocol: switchboard.v1", "Authorization: Bearer \(token)", "", "",
        ].joined(separator: "\r\n")
        try await channel.writeAndFlush(ByteBuffer(string: upgrade)).get()
        try await Task.sleep(for: .milliseconds(200)) // the 101 and the hello stay unread
        try await channel.writeAndFlush(frame(opcode: 0x1, payload: Array(subscribe.utf8))).get()
        return StalledClient(channel: channel)
    }

    /// Sends a ping frame; fails once the server has cut the connection.
    func probe() async -> Bool {
        do {
            try await channel.writeAndFlush(Self.frame(opcode: 0x9, payload: [])).get()
            return true
        } catch {
            return false
        }
    }

    func close() { channel.close(promise: nil) }

    /// A masked client frame (mask key 0, which leaves the payload as is).
    static func frame(opcode: UInt8, payload: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0x80 | opcode))
        if payload.count < 126 {
            buffer.writeInteger(UInt8(0x80 | payload.count))
        } else {
            buffer.writeInteger(UInt8(0x80 | 126))
            buffer.writeInteger(UInt16(payload.count))
        }
        buffer.writeBytes([0, 0, 0, 0])
        buffer.writeBytes(payload)
        return buffer
    }
}
