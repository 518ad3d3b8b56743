import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import NIOCore
import NIOSSL
import InboxCore
import InboxStore
import Logging
import ServiceLifecycle
import UnixSignals

/// Builds the whole HTTP application on `store`. `serve` and the tests build the very same
/// application; tests pass port 0 and their own clock.
public func buildApplication<Store: InboxStore>(
    store: Store, configuration: ServerConfiguration, services: [any Service] = [], logger: Logger
) throws -> some ApplicationProtocol {
    try buildApplication(services: InboxServices(store: store, configuration: configuration, logger: logger), extraServices: services, logger: logger)
}

func buildApplication<Store: InboxStore>(
    services inbox: InboxServices<Store>, extraServices: [any Service], logger: Logger
) throws -> some ApplicationProtocol {
    let configuration = inbox.configuration, store = inbox.store, realtime = inbox.realtime
    let router = buildRouter(services: inbox)
    let upgrade = HTTPServerBuilder.http1WebSocketUpgrade(
        webSocketRouter: realtime.webSocketRouter(logger: logger), configuration: .init(ws: realtime.webSocketConfiguration))
    let serverBuilder: HTTPServerBuilder
    if let certificatePath = configuration.tlsCertificatePath, let keyPath = configuration.tlsKeyPath {
        let certificates = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        let tls = TLSConfiguration.makeServerConfiguration(certificateChain: certificates, privateKey: .privateKey(key))
        serverBuilder = try .tls(upgrade, tlsConfiguration: tls)
    } else {
        serverBuilder = upgrade
    }
    let maintenance = StoreMaintenance(store: store, configuration: configuration, logger: logger)
    let feed = ChangeFeed(store: store, hub: realtime.hub, logger: logger)
    return Application(
        router: router, server: serverBuilder,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Switchboard"),
        services: extraServices + [maintenance, feed, RealtimeTicker(hub: realtime.hub), realtime.supervisor, inbox.dispatcher], logger: logger)
}

/// Builds the application and runs it until SIGINT or SIGTERM. On shutdown, WebSocket clients
/// are first told to reconnect elsewhere (close 1001) and given a moment to go, then the server
/// stops accepting and finishes what is in flight.
public func runServer<Store: InboxStore>(
    store: Store, configuration: ServerConfiguration, services: [any Service] = [], logger: Logger
) async throws {
    let inbox = InboxServices(store: store, configuration: configuration, logger: logger)
    // Bulk runs cut short by a stop are closed as they stand (each item was applied on its own).
    _ = try await store.finishAbandonedRuns()
    let app = try buildApplication(services: inbox, extraServices: services, logger: logger)
    // Services shut down in reverse order: the drain, listed last, goes first.
    let group = ServiceGroup(configuration: .init(
        services: [.init(service: app), .init(service: RealtimeDrain(hub: inbox.realtime.hub))],
        gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
}

/// The HTTP routes alone (no sockets, no dispatcher running), for router-level tests.
public func buildRouter<Store: InboxStore>(store: Store, configuration: ServerConfiguration) -> Router<AppRequestContext> {
    buildRouter(services: InboxServices(store: store, configuration: configuration, logger: Logger(label: "switchboard.router")))
}

/// The routes, shared by the application and by router-level tests.
func buildRouter<Store: InboxStore>(services inbox: InboxServices<Store>) -> Router<AppRequestContext> {
    let store = inbox.store, configuration = inbox.configuration
    let router = Router(context: AppRequestContext.self)
    router.middlewares.add(APIErrorMiddleware())
    // Inside the error middleware: a path no route knows is first looked up as a page file.
    WebInbox.add(root: configuration.webRoot, to: router)
    router.get("health") { _, _ in try WireJSON.response(["status": "ok"]) }
    router.get("openapi.json") { _, _ in try OpenAPIDocument.response() }
    // Prometheus scrape endpoint: aggregate figures only, no workspace data. Expose it to the
    // monitoring network alone (a reverse proxy rule), like any scrape target.
    let hub = inbox.realtime.hub, metrics = inbox.metrics
    router.get("metrics") { _, _ -> Response in
        let readings = await hub.metricReadings()
        let text = metrics.exposition(
            connections: readings.connections, subscriptions: readings.subscriptions, queuedBytes: readings.queuedBytes,
            newDeliveries: readings.newDeliveries)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    let api = router.group("api/v1")
    let auth = AuthController(
        store: store, configuration: configuration, throttle: LoginThrottle(maxFailures: configuration.maxLoginFailures, now: configuration.now))
    auth.addPublicRoutes(to: api)
    InboundController(store: store, intake: inbox.intake).addRoutes(to: api)

    let authenticated = api.group().add(middleware: SessionAuthenticator(sessions: SessionResolver(store: store, now: configuration.now)))
    auth.addRoutes(to: authenticated)
    AgentsController(store: store, hasher: configuration.passwordHasher).addRoutes(to: authenticated)
    DirectoryController(store: store).addRoutes(to: authenticated)
    ConnectionsController(store: store).addRoutes(to: authenticated)
    LeadsController(store: store).addRoutes(to: authenticated)
    ConversationsController(store: store).addRoutes(to: authenticated)
    ConversationActionsController(store: store, commands: inbox.commands).addRoutes(to: authenticated)
    AutomationsController(store: store).addRoutes(to: authenticated)
    RunsController(store: store, bulk: inbox.bulk).addRoutes(to: authenticated)
    inbox.realtime.addRoutes(httpRouter: router, authenticated: authenticated)
    return router
}

/// Serves the OpenAPI document kept in the repository (Sources/InboxServer/Resources).
enum OpenAPIDocument {
    static let data: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return Data("{}".utf8) }
        return data
    }()

    static func response() throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
