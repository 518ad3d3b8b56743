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
/// Plans: a filter on exactly one tag, stage or department is driven from that member's rows of
/// its membership table (alias `d`), which are kept in list order, so a page is a range scan
/// however rare the member. Anything else scans the conversations table (alias `c`) through an
/// index ending in the list order. Placeholders are `?`.
public struct ConversationFilterSQL: Sendable {
    /// A membership table and the member whose rows drive the query.
    struct Driver: Sendable {
        var table: String
        var column: String
        var member: Int64
    }

    private(set) var driver: Driver?
    private(set) var conditions: [String] = []
    private(set) var arguments: [SQLValue] = []

    public init(filter: ConversationFilter, viewer: Viewer, after cursor: PageCursor? = nil) {
        let sets: [(table: String, column: String, ids: [Int64])] = [
            ("conversation_stages", "stage_id", filter.stageIDs.map(\.rawValue).sorted()),
            ("conversation_tags", "tag_id", filter.tagIDs.map(\.rawValue).sorted()),
            ("conversation_departments", "department_id", filter.departmentIDs.map(\.rawValue).sorted()),
        ]
        if let single = sets.first(where: { $0.ids.count == 1 }) {
            driver = Driver(table: single.table, column: single.column, member: single.ids[0])
            add("d.\(single.column) = ?", .integer(single.ids[0]))
        }
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
        for set in sets where !set.ids.isEmpty && set.table != driver?.table {
            add(Self.membership(set.table, set.column, count: set.ids.count), set.ids.map(SQLValue.integer))
        }
        if let cursor {
            let comparison = cursor.order == .newest ? "<" : ">"
            add("(\(orderColumns.activity), \(orderColumns.id)) \(comparison) (?, ?)",
                [.integer(cursor.after.lastActivityAt.milliseconds), .integer(cursor.after.id.rawValue)])
        }
    }

    /// `FROM ...` joining the driving membership rows when there are some.
    public var fromClause: String {
        guard let driver else { return "FROM conversations c" }
        return "FROM \(driver.table) d JOIN conversations c ON c.id = d.conversation_id"
    }

    /// `WHERE ...` for the conditions.
    public var whereClause: String { "WHERE " + conditions.joined(separator: " AND ") }

    /// `ORDER BY ...` for a list of `order`, on the driving table's copy of the order key.
    public func orderClause(_ order: ConversationOrder) -> String {
        let direction = order == .newest ? "DESC" : "ASC"
        return "ORDER BY \(orderColumns.activity) \(direction), \(orderColumns.id) \(direction)"
    }

    /// The parameters of the conditions, in placeholder order.
    public var parameters: [SQLValue] { arguments }

    private var orderColumns: (activity: String, id: String) {
        driver == nil ? ("c.last_activity_at", "c.id") : ("d.last_activity_at", "d.conversation_id")
    }

    private mutating func add(_ condition: String, _ values: [SQLValue] = []) {
        conditions.append(condition)
        arguments += values
    }

    private mutating func add(_ condition: String, _ value: SQLValue) { add(condition, [value]) }

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
        var terms: [String] = []
        if statuses.contains(.open) {
            terms.append("c.status = 'open'") // open subsumes every open-only status
        } else {
            var flags: [String] = []
            if statuses.contains(.awaitingReply) { flags.append("c.awaiting_reply = 1") }
            if statuses.contains(.sendFailed) { flags.append("c.send_failed = 1") }
            if statuses.contains(.automations) { flags.append("c.automated = 1") }
            if !flags.isEmpty { terms.append("(c.status = 'open' AND (\(flags.joined(separator: " OR "))))") }
        }
        if statuses.contains(.finished) { terms.append("c.status = 'finished'") }
        return terms.count == 1 ? terms[0] : "(\(terms.joined(separator: " OR ")))"
    }
}
