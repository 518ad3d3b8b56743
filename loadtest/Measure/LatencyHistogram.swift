import Histogram

/// End-to-end latencies in microseconds (1 µs to 5 minutes, 3 significant digits). Codable, so
/// worker processes send theirs to the coordinator, which merges them exactly.
struct LatencyHistogram: Codable, Sendable {
    private(set) var histogram = Histogram<UInt64>(highestTrackableValue: 300_000_000, numberOfSignificantValueDigits: .three)

    var count: UInt64 { histogram.totalCount }

    mutating func record(nanos: UInt64) {
        let micros = Swift.max(1, Swift.min(nanos / 1_000, 300_000_000))
        _ = histogram.record(micros)
    }

    /// Records the time from `sentAt` (wall-clock ns) until now; clock skew never makes it negative.
    mutating func recordSince(_ sentAt: UInt64, now: UInt64 = wallNanos()) {
        record(nanos: now > sentAt ? now - sentAt : 0)
    }

    mutating func merge(_ other: LatencyHistogram) {
        histogram.add(other.histogram)
    }

    /// Milliseconds at a percentile (0 to 100).
    func millis(at percentile: Double) -> Double {
        count == 0 ? 0 : Double(histogram.valueAtPercentile(percentile)) / 1_000
    }

    var maxMillis: Double { count == 0 ? 0 : Double(histogram.max) / 1_000 }

    struct Summary: Codable, Sendable {
        let count: UInt64, p50: Double, p90: Double, p99: Double, p999: Double, max: Double
    }

    var summary: Summary {
        Summary(count: count, p50: millis(at: 50), p90: millis(at: 90), p99: millis(at: 99), p999: millis(at: 99.9), max: maxMillis)
    }
}
