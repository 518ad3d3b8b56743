import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import InboxCore
import InboxStore
import NIOCore
import Synchronization

/// The request context of the WebSocket router.
struct RealtimeRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket = WebSocketHandlerReference<Self>()
    /// The TCP channel, so a connection whose writes are stuck can be cut.
    let channel: any Channel
    /// Who the upgrade admitted; set before the upgrade, read by the socket handler.
    let admission = AdmissionSlot()

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Carries the admitted agent from the upgrade decision to the socket (contexts are values).
final class AdmissionSlot: Sendable {
    private let value = Mutex<(agent: Agent, tokenHash: String)?>(nil)
    func set(_ agent: Agent, tokenHash: String) { value.withLock { $0 = (agent, tokenHash) } }
    var admitted: (agent: Agent, tokenHash: String)? { value.withLock { $0 } }
}

/// Decides, before the upgrade, whether a WebSocket may open: the caller must hold a live
/// session (a bearer header, or a single-use ticket for browsers) and a browser page must come
/// from an allowed origin (Cross-Site WebSocket Hijacking). A refused upgrade never becomes a
/// socket; the HTTP answer carries the usual JSON error.
struct WebSocketGate<Store: InboxStore>: Sendable {
    static var subprotocol: String { "switchboard.v1" }

    let sessions: SessionResolver<Store>
    let tickets: TicketBook
    let allowedOrigins: Set<String>

    struct Admission: Sendable {
        var agent: Agent
        var tokenHash: String
    }

    /// Checks origin and credentials. Tickets are spent here, so call it once per upgrade.
    func admit(_ request: Request) async throws -> Admission {
        try checkOrigin(request)
        if let token = SessionResolver<Store>.bearerToken(request) {
            let tokenHash = Secrets.hash(token)
            return Admission(agent: try await sessions.agent(tokenHash: tokenHash), tokenHash: tokenHash)
        }
        if let ticket = request.uri.queryParameters.get("ticket") {
            guard let tokenHash = await tickets.redeem(ticket) else {
                throw APIError(.unauthorized, "invalid_ticket", "the ticket is unknown, expired or already used; get a new one")
            }
            return Admission(agent: try await sessions.agent(tokenHash: tokenHash), tokenHash: tokenHash)
        }
        throw APIError.unauthorized
    }

    /// A browser sends `Origin`; it must be this server's own origin or an allowed one. Every
    /// `Origin` value is checked (a request carrying several is judged by the strictest).
    func checkOrigin(_ request: Request) throws {
        for origin in request.headers[values: .origin] {
            let normalized = origin.lowercased()
            // Browsers send the page's http(s) origin, or "null" for opaque ones; other values
            // (some native clients send ws://host) come from programs a page cannot drive.
            guard normalized == "null" || normalized.hasPrefix("http://") || normalized.hasPrefix("https://") else { continue }
            if allowedOrigins.contains(normalized) { continue }
            if let host = request.head.authority?.lowercased(),
               normalized == "http://\(host)" || normalized == "https://\(host)" { continue }
            throw APIError(.forbidden, "origin_not_allowed", "pages from \(origin) may not open a socket here")
        }
    }

    /// The response headers of an accepted upgrade: the subprotocol, when the client offered it.
    func upgradeHeaders(_ request: Request) throws -> HTTPFields {
        guard let offered = request.headers[.secWebSocketProtocol] else { return [:] }
        let protocols = offered.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard protocols.contains(Self.subprotocol) else {
            throw APIError(.badRequest, "unsupported_subprotocol", "this server speaks \(Self.subprotocol)")
        }
        return [.secWebSocketProtocol: Self.subprotocol]
    }
}
