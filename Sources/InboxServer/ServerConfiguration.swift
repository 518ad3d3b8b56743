import InboxCore

/// How the server runs. Every field has a flag and an environment variable (see README).
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// PEM certificate chain and private key; when both are set the server speaks HTTPS (and wss://).
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// How long a login session lasts.
    public var sessionLifetimeSeconds: Int
    public var passwordHasher: PasswordHasher
    /// Failed logins allowed per email and client address within five minutes.
    public var maxLoginFailures: Int
    /// Change-log entries older than this are pruned, the newest `changeLogKeep` always kept.
    public var changeLogRetentionSeconds: Int
    public var changeLogKeep: Int
    /// The WebSocket endpoint's limits and timings.
    public var realtime: RealtimeConfiguration
    /// Who may reply to a conversation (`--reply-policy`).
    public var replyPolicy: ReplyPolicy
    /// Outbound delivery through connections' adapters.
    public var delivery: DeliveryConfiguration
    /// Folder of the browser inbox's static files, served at `/`; nil serves no page.
    public var webRoot: String?
    /// The clock; tests inject their own.
    public var now: @Sendable () -> Timestamp

    public init(
        host: String = "127.0.0.1", port: Int = 8080, tlsCertificatePath: String? = nil, tlsKeyPath: String? = nil,
        sessionLifetimeSeconds: Int = 12 * 3600, passwordHasher: PasswordHasher = PasswordHasher(),
        maxLoginFailures: Int = 10, changeLogRetentionSeconds: Int = 900, changeLogKeep: Int = 20_000,
        realtime: RealtimeConfiguration = RealtimeConfiguration(), replyPolicy: ReplyPolicy = .assigned,
        delivery: DeliveryConfiguration = DeliveryConfiguration(), webRoot: String? = nil, now: @escaping @Sendable () -> Timestamp = Timestamp.now
    ) {
        self.replyPolicy = replyPolicy
        self.delivery = delivery
        self.webRoot = webRoot
        self.host = host
        self.port = port
        self.tlsCertificatePath = tlsCertificatePath
        self.tlsKeyPath = tlsKeyPath
        self.sessionLifetimeSeconds = sessionLifetimeSeconds
        self.passwordHasher = passwordHasher
        self.maxLoginFailures = maxLoginFailures
        self.changeLogRetentionSeconds = changeLogRetentionSeconds
        self.changeLogKeep = changeLogKeep
        self.realtime = realtime
        self.now = now
    }
}
