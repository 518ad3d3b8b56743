/// Limits and timings of the WebSocket endpoint; protocol.md documents each default.
public struct RealtimeConfiguration: Sendable {
    /// Origins (scheme://host[:port]) whose pages may open a socket; same-origin pages always may.
    public var allowedOrigins: Set<String>
    /// Largest inbound message, in bytes (after decompression).
    public var maxMessageBytes: Int
    /// Most frames one inbound message may span (fragment floods are closed, not buffered).
    public var maxFramesPerMessage: Int
    /// Inbound messages allowed per connection per second (a burst of twice that is tolerated).
    public var maxMessagesPerSecond: Int
    /// Bytes queued for one client before it is closed as a slow consumer.
    public var maxQueuedBytes: Int
    /// Longest a single write may stay blocked before the client is closed as a slow consumer.
    public var writeDeadlineSeconds: Double
    /// Server pings this often; a ping still unanswered when the next is due closes the client.
    public var pingIntervalSeconds: Int
    /// Largest page a subscription may ask for.
    public var maxPageSize: Int
    /// Most subscriptions one connection may hold.
    public var maxSubscriptionsPerConnection: Int
    /// How long a WebSocket ticket stays valid, in seconds.
    public var ticketLifetimeSeconds: Int
    /// How often a connection re-checks its session (revoked, expired, agent deactivated).
    public var sessionCheckSeconds: Int

    public init(
        allowedOrigins: Set<String> = [], maxMessageBytes: Int = 64 * 1024, maxFramesPerMessage: Int = 32,
        maxMessagesPerSecond: Int = 50, maxQueuedBytes: Int = 1 << 20, writeDeadlineSeconds: Double = 10,
        pingIntervalSeconds: Int = 20, maxPageSize: Int = 200, maxSubscriptionsPerConnection: Int = 16,
        ticketLifetimeSeconds: Int = 30, sessionCheckSeconds: Int = 30
    ) {
        self.allowedOrigins = allowedOrigins
        self.maxMessageBytes = maxMessageBytes
        self.maxFramesPerMessage = maxFramesPerMessage
        self.maxMessagesPerSecond = maxMessagesPerSecond
        self.maxQueuedBytes = maxQueuedBytes
        self.writeDeadlineSeconds = writeDeadlineSeconds
        self.pingIntervalSeconds = pingIntervalSeconds
        self.maxPageSize = maxPageSize
        self.maxSubscriptionsPerConnection = maxSubscriptionsPerConnection
        self.ticketLifetimeSeconds = ticketLifetimeSeconds
        self.sessionCheckSeconds = sessionCheckSeconds
    }
}

/// Close codes of the WebSocket endpoint (protocol.md, "Close codes").
public enum RealtimeCloseCode: UInt16, Sendable {
    /// The server is shutting down; reconnect (elsewhere) and resume.
    case goingAway = 1001
    /// The client broke the protocol (fragment flood, binary frames, text that is not UTF-8).
    case policyViolation = 1008
    /// An inbound message was larger than the limit.
    case messageTooBig = 1009
    /// The session expired or was revoked, or the agent was deactivated: log in again.
    case sessionEnded = 4001
    /// The agent's role or departments changed: reconnect and subscribe afresh (not resume: what
    /// the agent may see is different now).
    case permissionsChanged = 4003
    /// The client did not read fast enough; reconnect and resume.
    case slowConsumer = 4008
    /// The client sent more messages per second than allowed.
    case rateLimited = 4029
}
