import HTTPTypes
import Hummingbird
import InboxCore
import InboxStore

/// Bulk actions over HTTP: `POST /bulk` starts a run and answers at once (202) with it;
/// `GET /runs/{id}` gives its progress and, per conversation, its outcome.
struct RunsController<Store: InboxStore> {
    let store: Store
    let bulk: BulkRunner<Store>

    struct BulkBody: Codable {
        /// Resubmitting the same key returns the first run instead of starting another.
        var idempotencyKey: String
        var action: BulkAction
        /// Either the ids...
        var conversationIDs: [ConversationID]?
        /// ...or every conversation matching this filter, as the caller may see them now.
        var filter: FilterBody?
    }

    struct RunAnswer: Codable {
        var run: ActionRun
        /// True when the idempotency key named an earlier run, which is returned unchanged.
        var duplicate: Bool
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("bulk") { request, context in
            let agent = try context.requireAgent()
            let body = try await StrictJSONBody.decode(BulkBody.self, from: request)
            let selection = try Self.selection(ids: body.conversationIDs, filter: body.filter)
            let (run, existing) = try await bulk.start(BulkRequest(idempotencyKey: body.idempotencyKey, action: body.action, selection: selection), by: agent)
            return try WireJSON.response(RunAnswer(run: run, duplicate: existing), status: existing ? .ok : .accepted)
        }
        group.get("runs/:id") { _, context in
            let agent = try context.requireAgent()
            let run = try await store.run(try context.id("id", entity: "run"), in: agent.workspaceID)
            // Agents see their own runs; supervisors and admins every run of the workspace.
            guard agent.role != .agent || run.agentID == agent.id else { throw InboxError.notFound(entity: "run") }
            return try WireJSON.response(run)
        }
    }

    /// Exactly one of ids and filter.
    static func selection(ids: [ConversationID]?, filter: FilterBody?) throws -> BulkSelection {
        switch (ids, filter) {
        case (let ids?, nil): return .ids(ids)
        case (nil, let filter?):
            let parsed = filter.filter
            do {
                try parsed.validate()
            } catch {
                throw APIError(.unprocessableContent, "invalid_filter", error.message, field: "filter")
            }
            return .filter(parsed)
        default:
            throw APIError(.unprocessableContent, "invalid_field", "give either conversationIds or filter", field: "conversationIds")
        }
    }
}
