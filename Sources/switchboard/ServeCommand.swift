import ArgumentParser
import Foundation
import Hummingbird
import InboxCore
import InboxServer
import InboxStore
import Logging
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the server.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Address to bind (env SWITCHBOARD_HOST); 0.0.0.0 to accept other machines.")
    var host: String = Environment.value("SWITCHBOARD_HOST") ?? "127.0.0.1"

    @Option(help: "Port (env SWITCHBOARD_PORT).")
    var port: Int = Environment.value("SWITCHBOARD_PORT").flatMap(Int.init) ?? 8080

    @Flag(help: "Create the demo workspace if missing and keep demo customers writing (env SWITCHBOARD_DEMO=1).")
    var demo: Bool = Environment.value("SWITCHBOARD_DEMO") == "1"

    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain: serve HTTPS/wss directly (env SWITCHBOARD_TLS_CERT).")
    var tlsCertificate: String? = Environment.value("SWITCHBOARD_TLS_CERT")

    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-cert (env SWITCHBOARD_TLS_KEY).")
    var tlsKey: String? = Environment.value("SWITCHBOARD_TLS_KEY")

    @Option(help: "Hours a login session lasts (env SWITCHBOARD_SESSION_HOURS).")
    var sessionHours: Int = Environment.value("SWITCHBOARD_SESSION_HOURS").flatMap(Int.init) ?? 12

    @Option(help: "bcrypt cost for new passwords, 4 to 16 (env SWITCHBOARD_BCRYPT_COST).")
    var bcryptCost: Int = Environment.value("SWITCHBOARD_BCRYPT_COST").flatMap(Int.init) ?? 12

    @Option(help: "Conversations in a new demo workspace.")
    var demoConversations: Int = 2_500

    @Option(help: "Mean seconds between the demo's customer messages; 0 keeps the demo inbox still (env SWITCHBOARD_DEMO_TRAFFIC_SECONDS).")
    var demoTrafficSeconds: Double = Environment.value("SWITCHBOARD_DEMO_TRAFFIC_SECONDS").flatMap(Double.init) ?? 3

    @Option(help: "Origins (scheme://host[:port], comma-separated) whose pages may open WebSockets besides this server's own (env SWITCHBOARD_ALLOWED_ORIGINS).")
    var allowedOrigins: String = Environment.value("SWITCHBOARD_ALLOWED_ORIGINS") ?? ""

    @Option(help: "Who may reply: assigned (agents reply to what they hold) or visible (to anything they see) (env SWITCHBOARD_REPLY_POLICY).")
    var replyPolicy: String = Environment.value("SWITCHBOARD_REPLY_POLICY") ?? ReplyPolicy.assigned.rawValue

    @Option(help: "Folder of the web inbox's static files (env SWITCHBOARD_WEB_ROOT); default: ./web or the repository's web/ beside .build; 'none' serves no page.")
    var webRoot: String? = Environment.value("SWITCHBOARD_WEB_ROOT")

    @Option(help: "Log level: trace, debug, info, notice, warning, error (env LOG_LEVEL).")
    var logLevel: String = Environment.value("LOG_LEVEL") ?? "info"

    func validate() throws {
        guard (tlsCertificate == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard (4...16).contains(bcryptCost) else { throw ValidationError("--bcrypt-cost is 4 to 16") }
        guard (1...24 * 30).contains(sessionHours) else { throw ValidationError("--session-hours is 1 to 720") }
        guard (0...65535).contains(port) else { throw ValidationError("--port is 0 to 65535") }
        if let webRoot, webRoot != "none", !FileManager.default.fileExists(atPath: webRoot + "/index.html") {
            throw ValidationError("--web-root \(webRoot) has no index.html")
        }
        guard ReplyPolicy(rawValue: replyPolicy) != nil else { throw ValidationError("--reply-policy is assigned or visible") }
        guard demoTrafficSeconds >= 0, demoTrafficSeconds.isFinite else { throw ValidationError("--demo-traffic-seconds is 0 or more") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            return handler
        }
        let logger = Logger(label: "switchboard")
        let clock = DemoClock()
        let store = try self.store.openStore(now: clock.now)
        let hasher = PasswordHasher(cost: UInt8(bcryptCost))
        let configuration = ServerConfiguration(
            host: host, port: port, tlsCertificatePath: tlsCertificate, tlsKeyPath: tlsKey,
            sessionLifetimeSeconds: sessionHours * 3600, passwordHasher: hasher,
            realtime: RealtimeConfiguration(allowedOrigins: Set(allowedOrigins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })),
            replyPolicy: ReplyPolicy(rawValue: replyPolicy) ?? .assigned,
            webRoot: webRoot == "none" ? nil : (webRoot ?? WebInbox.defaultRoot()), now: clock.now)

        var services: [any Service] = []
        if demo {
            logger.info("preparing the demo workspace (first run takes a little while)")
            let summary = try await DemoSeeder(store: store, clock: clock, hasher: hasher, conversations: demoConversations).seedIfNeeded()
            if demoTrafficSeconds > 0 {
                services.append(DemoTraffic(store: store, summary: summary, logger: logger, intervalSeconds: demoTrafficSeconds))
            }
            printDemoBanner(summary)
        }
        // Queries arriving meanwhile wait for the same load, so starting it is enough.
        Task { [logger] in
            do { try await store.warmFilterIndexes() } catch { logger.warning("loading the filter indexes failed; queries will retry", metadata: ["error": "\(error)"]) }
        }
        if configuration.webRoot == nil { logger.warning("no web inbox folder found: / serves no page (see --web-root)") }
        logger.info("starting", metadata: ["web": "\(configuration.webRoot ?? "none")", "url": "\(tlsCertificate == nil ? "http" : "https")://\(host):\(port)", "database": "\(self.store.databasePath)"])
        try await runServer(store: store, configuration: configuration, services: services, logger: logger)
    }

    private func printDemoBanner(_ summary: DemoSeeder<SQLiteStore>.Summary) {
        let scheme = tlsCertificate == nil ? "http" : "https"
        var lines = ["", "Switchboard demo: \(scheme)://localhost:\(port)", "Demo logins (password: \(summary.password)):"]
        for login in summary.logins { lines.append("  \(login.email)  (\(login.role.rawValue))") }
        lines.append("")
        // Written unbuffered: print() is block-buffered when stdout is a file, and the banner must show at once.
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
