import InboxCore

/// Slows password guessing: after `maxFailures` failed logins for one key (an email from one
/// client address) within `window`, further attempts are refused until the window passes.
public actor LoginThrottle {
    private var failures: [String: [Timestamp]] = [:]
    private let maxFailures: Int
    private let windowMilliseconds: Int64
    private let now: @Sendable () -> Timestamp

    public init(maxFailures: Int = 10, windowSeconds: Int = 300, now: @escaping @Sendable () -> Timestamp = Timestamp.now) {
        self.maxFailures = maxFailures
        self.windowMilliseconds = Int64(windowSeconds) * 1000
        self.now = now
    }

    /// Seconds to wait before `key` may try again, or nil when it may try now.
    public func retryAfter(_ key: String) -> Int? {
        let recent = prune(key)
        guard recent.count >= maxFailures, let oldest = recent.first else { return nil }
        let waitMilliseconds = oldest.milliseconds + windowMilliseconds - now().milliseconds
        return max(1, Int((waitMilliseconds + 999) / 1000))
    }

    public func recordFailure(_ key: String) {
        var recent = prune(key)
        recent.append(now())
        failures[key] = recent
        // Bound memory under a spray of distinct keys: forget the oldest keys first.
        if failures.count > 100_000 {
            for staleKey in failures.keys.prefix(failures.count - 100_000) { failures[staleKey] = nil }
        }
    }

    public func recordSuccess(_ key: String) { failures[key] = nil }

    private func prune(_ key: String) -> [Timestamp] {
        let cutoff = now().milliseconds - windowMilliseconds
        let recent = (failures[key] ?? []).filter { $0.milliseconds > cutoff }
        failures[key] = recent.isEmpty ? nil : recent
        return recent
    }
}
