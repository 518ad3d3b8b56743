import Foundation
import Hummingbird
import InboxCore
import InboxStore
import Logging

/// Resolves a session token hash to its live agent; shared by HTTP routes and the WebSocket.
/// Unknown hashes are 401 `unauthorized`; expired or revoked sessions and deactivated agents
/// are 401 `token_expired`, so a client knows to send the user back to the login screen.
struct SessionResolver<Store: InboxStore>: Sendable {
    let store: Store
    let now: @Sendable () -> Timestamp

    func agent(tokenHash: String) async throws -> Agent {
        guard let session = try await store.session(tokenHash: tokenHash) else { throw APIError.unauthorized }
        guard session.revokedAt == nil, session.expiresAt > now() else { throw APIError.tokenExpired }
        let agent = try await store.agent(session.agentID, in: session.workspaceID)
        guard agent.active else { throw APIError.tokenExpired }
        return agent
    }

    /// The token of `Authorization: Bearer <token>`, if the header has that form.
    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}

/// Resolves `Authorization: Bearer <token>` to a live session and its agent for HTTP routes.
struct SessionAuthenticator<Store: InboxStore>: RouterMiddleware {
    typealias Context = AppRequestContext
    let sessions: SessionResolver<Store>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = SessionResolver<Store>.bearerToken(request) else { throw APIError.unauthorized }
        let tokenHash = Secrets.hash(token)
        let agent = try await sessions.agent(tokenHash: tokenHash)
        var context = context
        context.agent = agent
        context.tokenHash = tokenHash
        context.logger[metadataKey: "agent"] = "\(agent.id)"
        return try await next(request, context)
    }
}
