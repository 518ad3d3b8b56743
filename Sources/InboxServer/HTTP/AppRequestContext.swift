import Hummingbird
import NIOCore
import InboxCore

/// The request context of every route: Hummingbird's core storage plus who is calling.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The logged-in agent, set by ``SessionAuthenticator``.
    public var agent: Agent?
    /// The hash of the bearer token that authenticated the request (for logout).
    public var tokenHash: String?

    /// The peer's IP address, when the request came over a socket (absent in router tests).
    public let clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
    }

    public var maxUploadSize: Int { ServerLimits.maxBodyBytes }

    /// The caller, or 401 when the route was reached without a session.
    public func requireAgent() throws -> Agent {
        guard let agent else { throw APIError.unauthorized }
        return agent
    }

    /// The caller, or 403 unless their role is one of `roles`.
    public func requireRole(_ roles: Role...) throws -> Agent {
        let agent = try requireAgent()
        guard roles.contains(agent.role) else {
            throw APIError.forbidden("this needs the role \(roles.map(\.rawValue).joined(separator: " or "))")
        }
        return agent
    }
}

extension AppRequestContext {
    /// A path parameter as a typed id; a non-numeric one is a plain "not found".
    func id<Entity>(_ name: String, entity: String) throws -> Identifier<Entity> {
        guard let raw = parameters.get(name), let value = Int64(raw), value > 0 else {
            throw APIError(.notFound, "not_found", "\(entity) not found")
        }
        return Identifier(value)
    }
}
