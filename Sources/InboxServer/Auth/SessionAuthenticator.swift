import Foundation
import Hummingbird
import InboxCore
import InboxStore
import Logging

/// Resolves `Authorization: Bearer <token>` to a live session and its agent. Missing or unknown
/// tokens are 401 `unauthorized`; expired or revoked sessions (and deactivated agents) are 401
/// `token_expired`, so a client knows to send the user back to the login screen.
struct SessionAuthenticator<Store: InboxStore>: RouterMiddleware {
    typealias Context = AppRequestContext
    let store: Store
    let now: @Sendable () -> Timestamp

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = Self.bearerToken(request) else { throw APIError.unauthorized }
        let tokenHash = Secrets.hash(token)
        guard let session = try await store.session(tokenHash: tokenHash) else { throw APIError.unauthorized }
        guard session.revokedAt == nil, session.expiresAt > now() else { throw APIError.tokenExpired }
        let agent = try await store.agent(session.agentID, in: session.workspaceID)
        guard agent.active else { throw APIError.tokenExpired }
        var context = context
        context.agent = agent
        context.tokenHash = tokenHash
        context.logger[metadataKey: "agent"] = "\(agent.id)"
        return try await next(request, context)
    }

    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
