/// How outbound messages are delivered through connections' adapters.
public struct DeliveryConfiguration: Sendable {
    /// Attempts before a message is marked failed (the first one included).
    public var maxAttempts: Int
    /// Backoff before the second attempt; doubles with each further attempt (with jitter).
    public var baseBackoffMilliseconds: Int
    /// Longest backoff between attempts.
    public var maxBackoffMilliseconds: Int
    /// A webhook call that takes longer fails and is retried.
    public var requestTimeoutMilliseconds: Int
    /// Deliveries in flight at once.
    public var maxInFlight: Int
    /// How often due messages (backoffs, leases of a crashed process) are looked for.
    public var pollIntervalMilliseconds: Int

    public init(
        maxAttempts: Int = 6, baseBackoffMilliseconds: Int = 1_000, maxBackoffMilliseconds: Int = 60_000,
        requestTimeoutMilliseconds: Int = 10_000, maxInFlight: Int = 64, pollIntervalMilliseconds: Int = 500
    ) {
        self.maxAttempts = maxAttempts
        self.baseBackoffMilliseconds = baseBackoffMilliseconds
        self.maxBackoffMilliseconds = maxBackoffMilliseconds
        self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
        self.maxInFlight = maxInFlight
        self.pollIntervalMilliseconds = pollIntervalMilliseconds
    }

    /// While a message is leased to an adapter, no one else sends it; a crash lets the lease
    /// run out and the message is retried.
    var leaseMilliseconds: Int64 { Int64(requestTimeoutMilliseconds) * 2 + 5_000 }

    /// The wait before attempt `attempt + 1`: exponential, capped, with ±20% jitter so that
    /// many messages failing together do not retry together.
    func backoff(afterAttempt attempt: Int) -> Int64 {
        let exponent = min(max(attempt - 1, 0), 20)
        let base = min(Double(baseBackoffMilliseconds) * Double(1 << exponent), Double(maxBackoffMilliseconds))
        return Int64(base * Double.random(in: 0.8...1.2))
    }
}

/// What one delivery attempt came to.
enum DeliveryAttemptResult: Sendable, Equatable {
    /// The gateway accepted it.
    case sent(providerMessageID: String?)
    /// A transient failure: try again later.
    case retry(reason: String)
    /// A permanent failure.
    case failed(reason: String)
}
