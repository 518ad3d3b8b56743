import Foundation
import GRDB
import InboxCore
import InboxStore

/// `seed --verify`: checks a workspace's conversations (seeded or written by the server, all
/// alike) against the invariants the store keeps, then the store's own listing and counting
/// against the filter predicate every other part of the system uses. Returns the violations.
struct SeedCheck {
    let databasePath: String
    let workspace: WorkspaceID

    /// One invariant: the query counts the rows that break it.
    private struct Rule {
        var name: String
        var sql: String
    }

    /// The denormalized lists equal the membership rows, which carry the conversation's order
    /// key; the flags, preview and activity are what the messages say; the lead's tags and deal
    /// stages are on each of its conversations; every reference stays in the workspace.
    private static let rules: [Rule] = {
        func sortedList(_ column: String, _ table: String, _ key: String, _ owner: String) -> String {
            "coalesce((SELECT group_concat(\(column), ',') FROM (SELECT \(column) FROM \(table) WHERE \(key) = \(owner) ORDER BY \(column))), '')"
        }
        var rules: [Rule] = []
        for (list, table, column) in [("tag_ids", "conversation_tags", "tag_id"), ("department_ids", "conversation_departments", "department_id"),
                                      ("stage_ids", "conversation_stages", "stage_id")] {
            rules.append(Rule(
                name: "\(list) equals the rows of \(table)",
                sql: "SELECT count(*) FROM conversations c WHERE c.workspace_id = ?1 AND c.\(list) != \(sortedList(column, table, "conversation_id", "c.id"))"))
            rules.append(Rule(
                name: "\(table) rows carry the conversation's last_activity_at",
                sql: "SELECT count(*) FROM \(table) m JOIN conversations c ON c.id = m.conversation_id WHERE c.workspace_id = ?1 AND m.last_activity_at != c.last_activity_at"))
        }
        rules += [
            Rule(name: "tag_ids are the lead's tags",
                 sql: "SELECT count(*) FROM conversations c WHERE c.workspace_id = ?1 AND c.tag_ids != \(sortedList("tag_id", "contact_tags", "contact_id", "c.contact_id"))"),
            Rule(name: "stage_ids are the stages of the lead's deals",
                 sql: "SELECT count(*) FROM conversations c WHERE c.workspace_id = ?1 AND c.stage_ids != coalesce((SELECT group_concat(stage_id, ',') FROM (SELECT DISTINCT stage_id FROM deals WHERE contact_id = c.contact_id ORDER BY stage_id)), '')"),
            // A department transfer moves one conversation, so only seeded leads (never transferred) are held to this.
            Rule(name: "department_ids are the lead's departments (seeded leads)",
                 sql: "SELECT count(*) FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE c.workspace_id = ?1 AND k.external_id LIKE 'bulk-%' AND c.department_ids != \(sortedList("department_id", "contact_departments", "contact_id", "c.contact_id"))"),
            Rule(name: "contact_name is the lead's name",
                 sql: "SELECT count(*) FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE c.workspace_id = ?1 AND (c.contact_name != k.name OR k.workspace_id != c.workspace_id)"),
            Rule(name: "the lead has a handle on the conversation's connection",
                 sql: "SELECT count(*) FROM conversations c WHERE c.workspace_id = ?1 AND NOT EXISTS (SELECT 1 FROM contact_handles h WHERE h.contact_id = c.contact_id AND h.connection_id = c.connection_id)"),
            Rule(name: "the assignee is an agent of the workspace",
                 sql: "SELECT count(*) FROM conversations c LEFT JOIN agents a ON a.id = c.assignee_id WHERE c.workspace_id = ?1 AND c.assignee_id IS NOT NULL AND (a.id IS NULL OR a.workspace_id != c.workspace_id)"),
            Rule(name: "messages share their conversation's workspace and connection",
                 sql: "SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.workspace_id = ?1 AND (m.workspace_id != c.workspace_id OR m.connection_id != c.connection_id)"),
            Rule(name: "inbound messages carry the version they produced",
                 sql: "SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.workspace_id = ?1 AND m.direction = 'inbound' AND (m.conversation_version IS NULL OR m.conversation_version > c.version)"),
            Rule(name: "the change log does not run past the workspace's sequence",
                 sql: "SELECT count(*) FROM change_log l JOIN workspaces w ON w.id = l.workspace_id WHERE w.id = ?1 AND l.sequence > w.last_sequence"),
        ]
        // The derived state against the messages, in one pass over the conversations.
        let facts = """
            WITH f AS (
                SELECT c.status, c.awaiting_reply, c.send_failed, c.automated, c.unread_count, c.last_activity_at, c.last_message_preview,
                    c.version, k.external_id,
                    (SELECT direction FROM messages WHERE conversation_id = c.id ORDER BY id DESC LIMIT 1) AS last_direction,
                    (SELECT CASE WHEN attachments = '[]' AND instr(text, char(10)) = 0 AND instr(text, char(13)) = 0 THEN substr(text, 1, 140) END
                        FROM messages WHERE conversation_id = c.id ORDER BY id DESC LIMIT 1) AS last_preview,
                    (SELECT automated FROM messages WHERE conversation_id = c.id AND direction = 'outbound' ORDER BY id DESC LIMIT 1) AS last_outbound_automated,
                    EXISTS (SELECT 1 FROM messages WHERE conversation_id = c.id AND delivery_status = 'failed' AND failure_dismissed = 0) AS failing,
                    (SELECT max(created_at) FROM messages WHERE conversation_id = c.id) AS newest,
                    (SELECT count(*) FROM messages WHERE conversation_id = c.id) AS message_count,
                    (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'inbound' AND m.id > coalesce(
                        (SELECT max(id) FROM messages WHERE conversation_id = c.id AND direction = 'outbound' AND automated = 0), 0)) AS unanswered
                FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE c.workspace_id = ?1)
            SELECT count(*) FROM f WHERE
            """
        rules += [
            Rule(name: "every conversation has a message", sql: facts + " last_direction IS NULL"),
            Rule(name: "awaiting_reply = open and the last message is outbound",
                 sql: facts + " awaiting_reply != (status = 'open' AND last_direction = 'outbound')"),
            Rule(name: "automated = open and the latest outbound message is an automation's",
                 sql: facts + " automated != (status = 'open' AND coalesce(last_outbound_automated, 0) = 1)"),
            Rule(name: "send_failed = open and a failure is neither resent nor dismissed", sql: facts + " send_failed != (status = 'open' AND failing)"),
            Rule(name: "a finished conversation has no pending failure and nothing unread",
                 sql: facts + " status = 'finished' AND (failing OR unread_count != 0)"),
            Rule(name: "last_activity_at is the newest message's time", sql: facts + " last_activity_at != newest"),
            Rule(name: "last_message_preview is the last message's", sql: facts + " last_preview IS NOT NULL AND last_message_preview != last_preview"),
            Rule(name: "the version counts at least one change per message", sql: facts + " version < message_count"),
            Rule(name: "unread_count ≤ customer messages since the last agent message", sql: facts + " unread_count > unanswered"),
            Rule(name: "unread_count = customer messages since the last agent message (seeded, open)",
                 sql: facts + " external_id LIKE 'bulk-%' AND status = 'open' AND unread_count != unanswered"),
        ]
        return rules
    }()

    /// The SQL invariants and the foreign keys; returns the violations.
    func checkRows(progress: (String) -> Void) throws -> [String] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: databasePath, configuration: configuration)
        return try queue.read { db in
            var violations: [String] = []
            for rule in Self.rules {
                let started = monotonicNanos()
                let broken = try Int.fetchOne(db, sql: rule.sql, arguments: [workspace.rawValue]) ?? -1
                progress(String(format: "  %@ %@ (%.1f s)", broken == 0 ? "ok  " : "FAIL", rule.name, Double(monotonicNanos() - started) / 1e9))
                if broken != 0 { violations.append("\(rule.name): \(broken) rows") }
            }
            let started = monotonicNanos()
            let orphans = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
            progress(String(format: "  %@ foreign keys (%.1f s)", orphans.isEmpty ? "ok  " : "FAIL", Double(monotonicNanos() - started) / 1e9))
            if !orphans.isEmpty {
                let tables = Set(orphans.map { $0[0] as String }).sorted()
                violations.append("foreign keys: \(orphans.count) rows without their parent (\(tables.joined(separator: ", ")))")
            }
            return violations
        }
    }

    /// The store's pages and exact totals against ``ConversationFilter/matches(_:viewer:)`` on
    /// every conversation of the workspace, for viewers of each kind and filters on every column.
    func checkStore(progress: (String) -> Void) async throws -> [String] {
        let store = try SQLiteStore(.init(path: databasePath))
        let agents = try await store.agents(in: workspace).filter(\.active)
        guard let admin = agents.first(where: { $0.role == .admin }) else { return ["the workspace has no active admin"] }
        var viewers: [(String, Viewer)] = [("admin", admin.viewer)]
        if let supervisor = agents.first(where: { $0.role == .supervisor }) { viewers.append(("supervisor", supervisor.viewer)) }
        let plain = agents.filter { $0.role == .agent }
        if let agent = plain.first(where: { !$0.email.hasPrefix("lt") && !$0.departmentIDs.isEmpty }) { viewers.append(("agent \(agent.email)", agent.viewer)) }
        if let agent = plain.first(where: { $0.email.hasPrefix("lt") }) { viewers.append(("load agent \(agent.email)", agent.viewer)) }
        if let agent = plain.first(where: { $0.departmentIDs.isEmpty }) { viewers.append(("agent without department \(agent.email)", agent.viewer)) }

        let started = monotonicNanos()
        var all: [Conversation] = []
        var cursor: PageCursor?
        repeat {
            let page = try await store.listConversations(ConversationFilter(), viewer: admin.viewer, after: cursor, limit: SQLiteStore.maxPageSize)
            all += page.items
            cursor = page.nextCursor
        } while cursor != nil
        progress(String(format: "  read %d conversations through the store (%.1f s)", all.count, Double(monotonicNanos() - started) / 1e9))

        func members<E>(_ path: KeyPath<Conversation, [Identifier<E>]>) -> [Identifier<E>] {
            var counts: [Identifier<E>: Int] = [:]
            for conversation in all { for id in conversation[keyPath: path] { counts[id, default: 0] += 1 } }
            // The most and the least common member: a dense and a sparse list.
            let ranked = counts.sorted { ($0.value, $0.key) > ($1.value, $1.key) }.map(\.key)
            return Array(Set([ranked.first, ranked.last].compactMap { $0 })).sorted()
        }
        let tags = members(\.tagIDs), stages = members(\.stageIDs), departments = members(\.departmentIDs)
        let connections = Array(Set(all.map(\.connectionID))).sorted()
        var filters: [ConversationFilter] = [
            ConversationFilter(), ConversationFilter(statuses: [.open]), ConversationFilter(scope: .mine, statuses: [.open]),
            ConversationFilter(scope: .unassigned, statuses: [.open], order: .oldest), ConversationFilter(statuses: [.awaitingReply], order: .oldest),
            ConversationFilter(statuses: [.sendFailed]), ConversationFilter(statuses: [.finished]), ConversationFilter(statuses: [.automations]),
            ConversationFilter(statuses: [.awaitingReply, .sendFailed, .finished]),
        ]
        for tag in tags { filters.append(ConversationFilter(statuses: [.open], tagIDs: [tag])) }
        for stage in stages { filters.append(ConversationFilter(stageIDs: [stage], order: .oldest)) }
        for department in departments { filters.append(ConversationFilter(scope: .unassigned, departmentIDs: [department])) }
        if let connection = connections.first { filters.append(ConversationFilter(statuses: [.open], connectionIDs: [connection])) }
        if let tag = tags.first, let stage = stages.last { filters.append(ConversationFilter(statuses: [.open], tagIDs: [tag], stageIDs: [stage])) }
        if tags.count > 1 { filters.append(ConversationFilter(tagIDs: Set(tags))) }

        var violations: [String] = []
        var compared = 0
        for (name, viewer) in viewers {
            for filter in filters {
                var expected = all.filter { filter.matches($0, viewer: viewer) }
                expected.sort { $0.sortKey.precedes($1.sortKey, in: filter.order) }
                let first = try await store.listConversations(filter, viewer: viewer, after: nil, limit: 50, includeTotal: true)
                let count = try await store.countConversations(filter, viewer: viewer)
                var problems: [String] = []
                if first.total != expected.count { problems.append("page total \(first.total ?? -1)") }
                if count != expected.count { problems.append("count \(count)") }
                if first.items != Array(expected.prefix(50)) { problems.append("first page differs") }
                if let next = first.nextCursor {
                    let second = try await store.listConversations(filter, viewer: viewer, after: next, limit: 50)
                    if second.items != Array(expected.dropFirst(50).prefix(50)) { problems.append("second page differs") }
                } else if expected.count > 50 {
                    problems.append("no cursor after the first page")
                }
                if !problems.isEmpty {
                    violations.append("\(name), filter \(Self.describe(filter)): predicate says \(expected.count); store: \(problems.joined(separator: ", "))")
                }
                compared += 1
            }
        }
        progress(String(format: "  %@ %d list/count queries (%d viewers × %d filters) agree with the filter predicate (%.1f s)",
                        violations.isEmpty ? "ok  " : "FAIL", compared, viewers.count, filters.count, Double(monotonicNanos() - started) / 1e9))
        return violations
    }

    private static func describe(_ filter: ConversationFilter) -> String {
        var parts = [filter.scope.rawValue]
        if !filter.statuses.isEmpty { parts.append("statuses \(filter.statuses.map(\.rawValue).sorted())") }
        if !filter.connectionIDs.isEmpty { parts.append("connections \(filter.connectionIDs.sorted())") }
        if !filter.tagIDs.isEmpty { parts.append("tags \(filter.tagIDs.sorted())") }
        if !filter.stageIDs.isEmpty { parts.append("stages \(filter.stageIDs.sorted())") }
        if !filter.departmentIDs.isEmpty { parts.append("departments \(filter.departmentIDs.sorted())") }
        parts.append(filter.order.rawValue)
        return parts.joined(separator: ", ")
    }
}
