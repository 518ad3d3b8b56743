/// How a connection's outbound messages leave Switchboard.
public enum OutboundAdapterKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Switchboard does not push: the gateway learns of messages elsewhere and reports their
    /// status through the delivery API. Messages stay pending until it does.
    case none
    /// POST each message as signed JSON to the connection's URL, retrying with backoff.
    case webhook
    /// In-process, for demos and load tests: delivers after a delay, fails a fraction, may answer.
    case sandbox
}

/// A connection's outbound adapter and its settings (the webhook's signing secret is kept apart).
public struct OutboundSettings: Hashable, Sendable, Codable {
    public var adapter: OutboundAdapterKind
    /// `webhook`: where messages are POSTed (http or https).
    public var url: String?
    /// `sandbox`: the fraction of messages that fail, 0 to 1.
    public var failureRate: Double?
    /// `sandbox`: milliseconds before a message is sent, and again before it is delivered.
    public var delayMs: Int?
    /// `sandbox`: when set, the customer answers every message with this text.
    public var autoReply: String?

    public init(adapter: OutboundAdapterKind, url: String? = nil, failureRate: Double? = nil, delayMs: Int? = nil, autoReply: String? = nil) {
        self.adapter = adapter
        self.url = url
        self.failureRate = failureRate
        self.delayMs = delayMs
        self.autoReply = autoReply
    }

    /// No adapter (not named `none`, which reads as `Optional.none` where an optional is expected).
    public static let noAdapter = OutboundSettings(adapter: .none)

    /// Checks the settings fit the adapter.
    public func validated() throws(InboxError) -> OutboundSettings {
        switch adapter {
        case .none:
            guard url == nil, failureRate == nil, delayMs == nil, autoReply == nil else {
                throw .invalidField(field: "adapter", reason: "the none adapter takes no settings")
            }
        case .webhook:
            guard let url, url.count <= 2_000, url.hasPrefix("http://") || url.hasPrefix("https://"),
                  url.split(separator: "/", omittingEmptySubsequences: true).count >= 2
            else { throw .invalidField(field: "url", reason: "an http:// or https:// URL") }
            guard failureRate == nil, delayMs == nil, autoReply == nil else {
                throw .invalidField(field: "adapter", reason: "the webhook adapter takes url only")
            }
        case .sandbox:
            guard url == nil else { throw .invalidField(field: "url", reason: "the sandbox adapter takes no url") }
            if let failureRate, !(0...1).contains(failureRate) { throw .invalidField(field: "failureRate", reason: "0 to 1") }
            // Well under a delivery's lease, so a slow sandbox never has its message leased twice.
            if let delayMs, !(0...10_000).contains(delayMs) { throw .invalidField(field: "delayMs", reason: "0 to 10000") }
            if let autoReply { _ = try Validation.name(autoReply, field: "autoReply") }
        }
        return self
    }
}
