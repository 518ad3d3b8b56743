import Foundation
import HTTPTypes
import Hummingbird
import InboxCore
import InboxStore

/// Login, logout and "who am I".
struct AuthController<Store: InboxStore> {
    let store: Store
    let configuration: ServerConfiguration
    let throttle: LoginThrottle

    struct LoginRequest: Codable {
        var email: String
        var password: String
        /// The workspace slug; needed only when the email exists in several workspaces.
        var workspace: String?
    }

    struct LoginResponse: Codable {
        var token: String
        var expiresAt: Timestamp
        var agent: Agent
        var workspace: Workspace
    }

    struct MeResponse: Codable {
        var agent: Agent
        var workspace: Workspace
    }

    func addPublicRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("auth/login", use: login)
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("auth/logout", use: logout)
        group.get("auth/me", use: me)
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await StrictJSONBody.decode(LoginRequest.self, from: request)
        let email = body.email.trimmingCharacters(in: .whitespaces).lowercased()
        guard !email.isEmpty, !body.password.isEmpty else {
            throw APIError(.unprocessableContent, "invalid_field", "email and password are required", field: "email")
        }
        // Per email and client address: a guesser is slowed down without letting anyone lock
        // a colleague out from elsewhere.
        let throttleKey = "\(email)|\(context.clientAddress ?? "unknown")"
        if let wait = await throttle.retryAfter(throttleKey) { throw APIError.rateLimited(retryAfterSeconds: wait) }

        var candidates = try await store.credentials(email: email).filter(\.agent.active)
        if let slug = body.workspace?.lowercased() { candidates = candidates.filter { $0.workspaceSlug == slug } }
        // The password is checked before anything is said about workspaces, so nothing about an
        // account leaks to someone who does not know its password.
        var matching: [AgentCredentials] = []
        for candidate in candidates where try await configuration.passwordHasher.verify(body.password, against: candidate.passwordHash) {
            matching.append(candidate)
        }
        if candidates.isEmpty {
            _ = try await configuration.passwordHasher.verify(body.password, against: configuration.passwordHasher.decoy)
        }
        guard let credentials = matching.first else {
            await throttle.recordFailure(throttleKey)
            throw APIError.invalidCredentials
        }
        guard matching.count == 1 else {
            throw APIError(.unprocessableContent, "workspace_required", "this login exists in several workspaces; name one", field: "workspace")
        }
        await throttle.recordSuccess(throttleKey)

        let token = Secrets.generate()
        let now = configuration.now()
        let session = SessionRecord(
            tokenHash: Secrets.hash(token), agentID: credentials.agent.id, workspaceID: credentials.agent.workspaceID,
            createdAt: now, expiresAt: now.adding(milliseconds: Int64(configuration.sessionLifetimeSeconds) * 1000))
        try await store.createSession(session)
        let workspace = try await store.workspace(credentials.agent.workspaceID)
        return try WireJSON.response(
            LoginResponse(token: token, expiresAt: session.expiresAt, agent: credentials.agent, workspace: workspace))
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let tokenHash = context.tokenHash { try await store.revokeSession(tokenHash: tokenHash) }
        return Response(status: .noContent)
    }

    @Sendable func me(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        return try WireJSON.response(MeResponse(agent: agent, workspace: try await store.workspace(agent.workspaceID)))
    }
}
