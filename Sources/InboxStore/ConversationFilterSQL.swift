import InboxCore

/// A SQL parameter value, independent of the database driver.
public enum SQLValue: Hashable, Sendable {
    case integer(Int64)
    case text(String)
}

/// The SQL translation of ``ConversationFilter`` plus the visibility rule, shared by the SQL
/// stores. It must agree with ``ConversationFilter/matches(_:viewer:)``; a property test on
/// random workspaces and filters holds it to that.
///
/// Placeholders are `?`; the conversations table is aliased `c`.
public struct ConversationFilterSQL: Sendable {
    public private(set) var conditions: [String] = []
    public private(set) var arguments: [SQLValue] = []

    public init(filter: ConversationFilter, viewer: Viewer, after cursor: PageCursor? = nil) {
        add("c.workspace_id = ?", .integer(viewer.workspaceID.rawValue))
        if !viewer.role.seesWholeWorkspace {
            var visible = "c.assignee_id = ? OR c.department_ids = ''"
            var visibleArguments: [SQLValue] = [.integer(viewer.agentID.rawValue)]
            if !viewer.departmentIDs.isEmpty {
                visible += " OR " + Self.membership("conversation_departments", "department_id", count: viewer.departmentIDs.count)
                visibleArguments += viewer.departmentIDs.sorted().map { .integer($0.rawValue) }
            }
            add("(\(visible))", visibleArguments)
        }
        switch filter.scope {
        case .all: break
        case .mine: add("c.assignee_id = ?", .integer(viewer.agentID.rawValue))
        case .unassigned: add("c.assignee_id IS NULL")
        }
        if let statuses = Self.statusCondition(filter.statuses) { add(statuses) }
        if !filter.connectionIDs.isEmpty {
            add("c.connection_id IN (\(Self.placeholders(filter.connectionIDs.count)))", filter.connectionIDs.sorted().map { .integer($0.rawValue) })
        }
        addMembership("conversation_tags", "tag_id", filter.tagIDs.map(\.rawValue))
        addMembership("conversation_stages", "stage_id", filter.stageIDs.map(\.rawValue))
        addMembership("conversation_departments", "department_id", filter.departmentIDs.map(\.rawValue))
        if let cursor {
            let comparison = cursor.order == .newest ? "<" : ">"
            add("(c.last_activity_at, c.id) \(comparison) (?, ?)",
                [.integer(cursor.after.lastActivityAt.milliseconds), .integer(cursor.after.id.rawValue)])
        }
    }

    /// `WHERE ...` for the conditions.
    public var whereClause: String { "WHERE " + conditions.joined(separator: " AND ") }

    /// `ORDER BY ...` for a list of `order`.
    public static func orderClause(_ order: ConversationOrder) -> String {
        order == .newest ? "ORDER BY c.last_activity_at DESC, c.id DESC" : "ORDER BY c.last_activity_at ASC, c.id ASC"
    }

    private mutating func add(_ condition: String, _ values: [SQLValue] = []) {
        conditions.append(condition)
        arguments += values
    }

    private mutating func add(_ condition: String, _ value: SQLValue) { add(condition, [value]) }

    private mutating func addMembership(_ table: String, _ column: String, _ ids: [Int64]) {
        guard !ids.isEmpty else { return }
        add(Self.membership(table, column, count: ids.count), ids.sorted().map(SQLValue.integer))
    }

    private static func membership(_ table: String, _ column: String, count: Int) -> String {
        "EXISTS (SELECT 1 FROM \(table) m WHERE m.conversation_id = c.id AND m.\(column) IN (\(placeholders(count))))"
    }

    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    /// The statuses as one condition; `nil` when they do not restrict. Each term mirrors
    /// ``StatusFilter/holds(for:)``.
    private static func statusCondition(_ statuses: Set<StatusFilter>) -> String? {
        if statuses.isEmpty || statuses.isSuperset(of: [.open, .finished]) { return nil }
        var openTerms: [String] = []
        if statuses.contains(.open) {
            openTerms = [] // open subsumes every open-only status
        } else {
            if statuses.contains(.awaitingReply) { openTerms.append("c.awaiting_reply = 1") }
            if statuses.contains(.sendFailed) { openTerms.append("c.send_failed = 1") }
            if statuses.contains(.automations) { openTerms.append("c.automated = 1") }
        }
        var terms: [String] = []
        if statuses.contains(.open) {
            terms.append("c.status = 'open'")
        } else if !openTerms.isEmpty {
            terms.append("(c.status = 'open' AND (\(openTerms.joined(separator: " OR "))))")
        }
        if statuses.contains(.finished) { terms.append("c.status = 'finished'") }
        return terms.count == 1 ? terms[0] : "(\(terms.joined(separator: " OR ")))"
    }
}
