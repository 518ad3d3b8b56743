/// A typed row identifier. The phantom `Entity` keeps a tag id from being passed where a
/// department id is expected; on the wire it is a plain JSON integer.
public struct Identifier<Entity>: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int64

    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

public typealias WorkspaceID = Identifier<Workspace>
public typealias AgentID = Identifier<Agent>
public typealias DepartmentID = Identifier<Department>
public typealias TagID = Identifier<Tag>
public typealias ConnectionID = Identifier<Connection>
public typealias PipelineID = Identifier<Pipeline>
public typealias StageID = Identifier<Stage>
public typealias ContactID = Identifier<Contact>
public typealias DealID = Identifier<Deal>
public typealias ConversationID = Identifier<Conversation>
public typealias MessageID = Identifier<Message>
public typealias AutomationID = Identifier<Automation>
public typealias RunID = Identifier<ActionRun>
