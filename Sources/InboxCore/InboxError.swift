/// A domain failure with a stable machine-readable code.
///
/// Stores and rules throw these; the HTTP layer maps each kind to a status code, and the
/// WebSocket layer reuses the same codes, so a client handles one vocabulary everywhere.
public enum InboxError: Error, Equatable, Sendable {
    /// The entity does not exist in the caller's workspace (ids of other workspaces included).
    case notFound(entity: String)
    /// A unique field already holds this value (e.g. an agent's email).
    case alreadyExists(field: String)
    /// A field names an id that does not exist in the caller's workspace.
    case invalidReference(field: String)
    /// A field's value breaks a rule (empty name, bad email, unknown enum value...).
    case invalidField(field: String, reason: String)
    /// The caller may not do this.
    case forbidden(reason: String)
    /// The state changed under the caller (compare-and-set lost).
    case conflict(reason: String)
    /// A reply was written against a version older than the customer's latest message: it was
    /// not sent, so the agent can read first (the composer's "traffic cop").
    case newerInbound(latestInboundVersion: Int64)

    /// The stable code sent to clients.
    public var code: String {
        switch self {
        case .notFound: "not_found"
        case .alreadyExists: "already_exists"
        case .invalidReference: "invalid_reference"
        case .invalidField: "invalid_field"
        case .forbidden: "forbidden"
        case .conflict: "conflict"
        case .newerInbound: "newer_inbound"
        }
    }

    /// A human-readable explanation, safe to show to the caller.
    public var message: String {
        switch self {
        case .notFound(let entity): "\(entity) not found"
        case .alreadyExists(let field): "\(field) is already taken"
        case .invalidReference(let field): "\(field) refers to something that does not exist in this workspace"
        case .invalidField(let field, let reason): "\(field): \(reason)"
        case .forbidden(let reason): reason
        case .conflict(let reason): reason
        case .newerInbound(let version):
            "the customer wrote again (version \(version)) after the version this reply was written against; read it, then send again"
        }
    }

    /// The field the error is about, when there is one.
    public var field: String? {
        switch self {
        case .alreadyExists(let field), .invalidReference(let field), .invalidField(let field, _): field
        default: nil
        }
    }
}
