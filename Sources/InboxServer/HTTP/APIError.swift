import Foundation
import HTTPTypes
import Hummingbird
import InboxCore
import Logging
import NIOCore

/// An error answer: `{"error": {"code", "message", "field"?}}` with a status that fits it.
/// Codes are stable; protocol.md lists every one.
public struct APIError: HTTPResponseError, Equatable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var field: String?
    /// Extra headers, such as `Retry-After` or `WWW-Authenticate`.
    public var headers: HTTPFields = [:]
    /// What a lost compare-and-set or a held reply adds: why, and the state that won.
    public var details: ErrorDetails?

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try WireJSON.response(ErrorBody(error: .init(code: code, message: message, field: field, details: details)), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    private struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var field: String?
            var details: ErrorDetails?

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(code, forKey: .code)
                try container.encode(message, forKey: .message)
                try container.encodeIfPresent(field, forKey: .field)
                try details?.encode(to: encoder) // flattened beside code and message
            }

            enum CodingKeys: String, CodingKey { case code, message, field }
        }
        var error: Detail
    }

    // MARK: The vocabulary

    public static let unauthorized = APIError(.unauthorized, "unauthorized", "a valid bearer token is required").challenging()
    public static let tokenExpired = APIError(.unauthorized, "token_expired", "the session expired or was revoked; log in again").challenging()
    public static let invalidCredentials = APIError(.unauthorized, "invalid_credentials", "email or password is wrong")
    public static let routeNotFound = APIError(.notFound, "not_found", "no such route")
    public static let internalError = APIError(.internalServerError, "internal", "the server failed; the request was not applied")

    /// Adds the `WWW-Authenticate: Bearer` challenge that RFC 6750 asks of a 401.
    func challenging() -> APIError {
        var copy = self
        copy.headers[.wwwAuthenticate] = "Bearer realm=\"switchboard\""
        return copy
    }

    public static func forbidden(_ message: String) -> APIError { APIError(.forbidden, "forbidden", message) }
    public static func malformedJSON(_ message: String) -> APIError { APIError(.badRequest, "malformed_json", message) }
    public static func invalidQuery(_ name: String, _ message: String) -> APIError {
        APIError(.badRequest, "invalid_query", message, field: name)
    }
    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, "payload_too_large", "request bodies are limited to \(limit) bytes")
    }
    public static func rateLimited(retryAfterSeconds: Int) -> APIError {
        var error = APIError(.tooManyRequests, "rate_limited", "too many attempts; retry in \(retryAfterSeconds) s")
        error.headers[.retryAfter] = String(retryAfterSeconds)
        return error
    }

    /// The HTTP form of a domain error.
    public init(_ error: InboxError) {
        let status: HTTPResponse.Status = switch error {
        case .notFound: .notFound
        case .alreadyExists, .conflict, .newerInbound: .conflict
        case .invalidReference, .invalidField: .unprocessableContent
        case .forbidden: .forbidden
        }
        self.init(status, error.code, error.message, field: error.field.map(WireJSON.swiftToWire))
    }
}

/// Turns every error a route throws into the documented JSON shape, so a client never sees
/// Hummingbird's plain-text errors or a stack of Swift types.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as InboxError {
            throw APIError(error)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge(limit: ServerLimits.maxBodyBytes)
        } catch let error as HTTPError {
            switch error.status {
            case .notFound: throw APIError.routeNotFound
            case .methodNotAllowed: throw APIError(.methodNotAllowed, "method_not_allowed", "this route does not accept \(request.method)")
            case .contentTooLarge: throw APIError.payloadTooLarge(limit: ServerLimits.maxBodyBytes)
            default: throw APIError(error.status, "http_\(error.status.code)", error.body ?? error.status.reasonPhrase)
            }
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            throw APIError.internalError
        }
    }
}

/// Size limits of the HTTP entry points.
public enum ServerLimits {
    /// Largest request body accepted, in bytes.
    public static let maxBodyBytes = 256 * 1024
}

extension WireJSON {
    /// A JSON response of `value`.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The facts an error answer adds for a client to act on, flattened into the error object
/// (`{"code":"conflict","reason":"assignee_changed","conversationId":7,"version":12,"assignee":{...}}`).
public struct ErrorDetails: Encodable, Equatable, Sendable {
    public struct AgentRef: Codable, Equatable, Sendable {
        public var id: AgentID
        public var name: String
    }

    /// Why a compare-and-set lost: `assignee_changed`, `version_changed`, `not_open`, `capacity_reached`.
    public var reason: String?
    public var conversationID: ConversationID?
    /// The conversation's version now.
    public var version: Int64?
    /// Who holds the conversation now (absent: nobody).
    public var assignee: AgentRef?
    /// For `newer_inbound`: the version the customer's latest message produced.
    public var latestInboundVersion: Int64?

    public init(reason: String? = nil, conversationID: ConversationID? = nil, version: Int64? = nil, assignee: AgentRef? = nil, latestInboundVersion: Int64? = nil) {
        self.reason = reason
        self.conversationID = conversationID
        self.version = version
        self.assignee = assignee
        self.latestInboundVersion = latestInboundVersion
    }
}
