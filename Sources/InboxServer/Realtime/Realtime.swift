import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWSCompression
import HummingbirdWebSocket
import InboxCore
import InboxStore
import Logging

/// The real-time side of the application: the hub, the tickets, the WebSocket router and the
/// HTTP routes that go with it (`POST /api/v1/auth/ws-ticket`, and `GET /ws` answering why an
/// upgrade was refused).
struct Realtime<Store: InboxStore>: Sendable {
    let hub: RealtimeHub<Store>
    let gate: WebSocketGate<Store>
    let sessions: SessionResolver<Store>
    let configuration: RealtimeConfiguration
    let tickets: TicketBook
    let commands: ConversationCommands<Store>
    let bulk: BulkRunner<Store>
    let supervisor: ConnectionSupervisor<Store>

    init(store: Store, configuration: ServerConfiguration, hub: RealtimeHub<Store>, commands: ConversationCommands<Store>, bulk: BulkRunner<Store>) {
        self.configuration = configuration.realtime
        self.hub = hub
        self.commands = commands
        self.bulk = bulk
        sessions = SessionResolver(store: store, now: configuration.now)
        tickets = TicketBook(lifetimeSeconds: configuration.realtime.ticketLifetimeSeconds, now: configuration.now)
        supervisor = ConnectionSupervisor(
            sessions: sessions, configuration: configuration.realtime, metrics: hub.metrics, logger: Logger(label: "switchboard.realtime"))
        gate = WebSocketGate(sessions: sessions, tickets: tickets, allowedOrigins: Set(configuration.realtime.allowedOrigins.map { $0.lowercased() }))
    }

    /// Frame limits, permessage-deflate with a decompressed-size limit, UTF-8 validation, pings.
    var webSocketConfiguration: WebSocketServerConfiguration {
        WebSocketServerConfiguration(
            maxFrameSize: configuration.maxMessageBytes,
            extensions: [.perMessageDeflate(maxDecompressedFrameSize: configuration.maxMessageBytes)],
            autoPing: .enabled(timePeriod: .seconds(configuration.pingIntervalSeconds)),
            closeTimeout: .seconds(5),
            validateUTF8: true)
    }

    func webSocketRouter(logger: Logger) -> Router<RealtimeRequestContext> {
        let router = Router(context: RealtimeRequestContext.self)
        let gate = gate, hub = hub, supervisor = supervisor, configuration = configuration
        let actions = RealtimeActions(hub: hub, commands: commands, bulk: bulk)
        router.ws("ws") { request, context in
            do {
                let admission = try await gate.admit(request)
                let headers = try gate.upgradeHeaders(request)
                context.admission.set(admission.agent, tokenHash: admission.tokenHash)
                return .upgrade(headers)
            } catch {
                context.logger.debug("websocket upgrade refused", metadata: ["error": "\(error)"])
                return .dontUpgrade // the HTTP route GET /ws explains the refusal
            }
        } onUpgrade: { inbound, outbound, context in
            guard let admitted = context.requestContext.admission.admitted else { return }
            let latest = (try? await hub.store.latestSequence(in: admitted.agent.workspaceID)) ?? 0
            let session = await hub.connect(agent: admitted.agent, tokenHash: admitted.tokenHash, latestSequence: latest)
            await RealtimeConnection(
                hub: hub, actions: actions, supervisor: supervisor, configuration: configuration, session: session,
                channel: context.requestContext.channel, logger: logger
            ).run(inbound: inbound, outbound: outbound)
        }
        return router
    }

    struct TicketResponse: Codable {
        var ticket: String
        var expiresAt: Timestamp
    }

    func addRoutes(httpRouter: Router<AppRequestContext>, authenticated: RouterGroup<AppRequestContext>) {
        let gate = gate, tickets = tickets
        authenticated.post("auth/ws-ticket") { _, context in
            _ = try context.requireAgent()
            guard let tokenHash = context.tokenHash else { throw APIError.unauthorized }
            let (ticket, expiresAt) = await tickets.issue(for: tokenHash)
            return try WireJSON.response(TicketResponse(ticket: ticket, expiresAt: expiresAt), status: .created)
        }
        // Reached only when the upgrade was refused (or the request was no upgrade at all).
        httpRouter.get("ws") { request, _ -> Response in
            try gate.checkOrigin(request)
            if let token = SessionResolver<Store>.bearerToken(request) {
                _ = try await gate.sessions.agent(tokenHash: Secrets.hash(token))
            } else if request.uri.queryParameters.get("ticket") != nil {
                throw APIError(.unauthorized, "invalid_ticket", "the ticket is unknown, expired or already used; get a new one")
            } else {
                throw APIError.unauthorized
            }
            _ = try gate.upgradeHeaders(request)
            throw APIError(.badRequest, "upgrade_required", "GET /ws is a WebSocket endpoint (subprotocol \(WebSocketGate<Store>.subprotocol))")
        }
    }
}
