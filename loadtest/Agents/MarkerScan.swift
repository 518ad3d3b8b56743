import NIOCore

/// Finds latency markers in a received message without parsing it. A publisher writes
/// `@lt<nanoseconds>` into what it sends (an inbound message's text, a topic message); the
/// marker comes back verbatim in a conversation's `lastMessagePreview` or as the peer's payload,
/// once per delivered event, also inside `batch` messages.
enum MarkerScan {
    static let marker: [UInt8] = Array("@lt".utf8)

    /// Calls `found` with the timestamp of each marker in `buffer`.
    @inline(__always)
    static func forEachMarker(in buffer: ByteBuffer, _ found: (UInt64) -> Void) {
        buffer.withUnsafeReadableBytes { bytes in
            let count = bytes.count
            var index = 0
            while index + 3 < count {
                guard let start = memchrIndex(bytes, from: index, byte: 0x40) else { return }  // '@'
                if start + 3 < count, bytes[start + 1] == 0x6C, bytes[start + 2] == 0x74 {  // "lt"
                    var value: UInt64 = 0
                    var cursor = start + 3
                    while cursor < count, bytes[cursor] >= 0x30, bytes[cursor] <= 0x39 {
                        value = value &* 10 &+ UInt64(bytes[cursor] - 0x30)
                        cursor += 1
                    }
                    if cursor > start + 3 { found(value) }
                    index = cursor
                } else {
                    index = start + 1
                }
            }
        }
    }

    /// Counts occurrences of `needle` (used for `"type":"change"` frames in untracked sockets).
    static func count(of needle: [UInt8], in buffer: ByteBuffer) -> Int {
        buffer.withUnsafeReadableBytes { bytes in
            guard needle.count <= bytes.count, let first = needle.first else { return 0 }
            var total = 0, index = 0
            while let start = memchrIndex(bytes, from: index, byte: first) {
                if start + needle.count > bytes.count { break }
                var matches = true
                for offset in 1..<needle.count where bytes[start + offset] != needle[offset] { matches = false; break }
                if matches { total += 1; index = start + needle.count } else { index = start + 1 }
            }
            return total
        }
    }

    @inline(__always)
    private static func memchrIndex(_ bytes: UnsafeRawBufferPointer, from: Int, byte: UInt8) -> Int? {
        guard from < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let hit = memchr(base + from, Int32(byte), bytes.count - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Writes the marker for "now" into a message text.
func latencyMarker(_ nanos: UInt64 = wallNanos()) -> String { "@lt\(nanos)" }
