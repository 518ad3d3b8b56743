import Hummingbird
import InboxCore
import InboxStore

/// Conversation lists with every filter, tab counts, and a conversation with its messages
/// (actions are in ``ConversationActionsController``). Everything is limited to what the caller may see: a conversation
/// outside their visibility answers 404, exactly like one that does not exist.
struct ConversationsController<Store: InboxStore> {
    let store: Store

    struct ListResponse: Codable {
        var items: [Conversation]
        var nextCursor: String?
        /// Exact number of conversations matching the filter.
        var total: Int
        var sequence: Int64
    }

    struct CountsResponse: Codable {
        var all: Int
        var mine: Int
        var unassigned: Int
    }

    struct ThreadResponse: Codable {
        var conversation: Conversation
        /// Newest first.
        var messages: [Message]
        /// Pass as `before` to get older messages; absent when there are none.
        var nextBefore: MessageID?
    }

    struct MessagesResponse: Codable {
        var items: [Message]
        var nextBefore: MessageID?
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("conversations", use: list)
        group.get("conversations/counts", use: counts)
        group.get("conversations/:id", use: thread)
        group.get("conversations/:id/messages", use: messages)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireAgent().viewer
        let query = try ConversationQuery(request.uri)
        let page = try await store.listConversations(query.filter, viewer: viewer, after: query.cursor, limit: query.limit, includeTotal: true)
        return try WireJSON.response(
            ListResponse(items: page.items, nextCursor: page.nextCursor?.encoded, total: page.total ?? 0, sequence: page.sequence))
    }

    /// The three tab badges for the same filter, each with its own scope.
    @Sendable func counts(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireAgent().viewer
        let query = try ConversationQuery(request.uri, allowed: ConversationQuery.filterParameters.subtracting(["scope", "order"]))
        async let all = store.countConversations(query.filter.with(scope: ConversationScope.all), viewer: viewer)
        async let mine = store.countConversations(query.filter.with(scope: ConversationScope.mine), viewer: viewer)
        async let unassigned = store.countConversations(query.filter.with(scope: ConversationScope.unassigned), viewer: viewer)
        return try WireJSON.response(CountsResponse(all: try await all, mine: try await mine, unassigned: try await unassigned))
    }

    @Sendable func thread(_ request: Request, context: AppRequestContext) async throws -> Response {
        let conversation = try await visibleConversation(context)
        let (items, next) = try await messagePage(of: conversation, before: nil, limit: 50)
        return try WireJSON.response(ThreadResponse(conversation: conversation, messages: items, nextBefore: next))
    }

    @Sendable func messages(_ request: Request, context: AppRequestContext) async throws -> Response {
        let conversation = try await visibleConversation(context)
        let parameters = request.uri.queryParameters
        for (key, _) in parameters {
            guard key == "before" || key == "limit" else { throw APIError.invalidQuery(String(key), "unknown query parameter \(key)") }
            guard parameters.getAll(String(key)).count == 1 else { throw APIError.invalidQuery(String(key), "\(key) may appear once") }
        }
        var before: MessageID?
        if let raw = parameters.get("before") {
            guard let id = Int64(raw), id > 0 else { throw APIError.invalidQuery("before", "before takes a message id") }
            before = MessageID(id)
        }
        var limit = 50
        if let raw = parameters.get("limit") {
            guard let value = Int(raw), (1...200).contains(value) else { throw APIError.invalidQuery("limit", "limit is 1 to 200") }
            limit = value
        }
        let (items, next) = try await messagePage(of: conversation, before: before, limit: limit)
        return try WireJSON.response(MessagesResponse(items: items, nextBefore: next))
    }

    private func visibleConversation(_ context: AppRequestContext) async throws -> Conversation {
        let viewer = try context.requireAgent().viewer
        let conversation = try await store.conversation(try context.id("id", entity: "conversation"), in: viewer.workspaceID)
        guard viewer.canSee(conversation) else { throw InboxError.notFound(entity: "conversation") }
        return conversation
    }

    private func messagePage(of conversation: Conversation, before: MessageID?, limit: Int) async throws -> ([Message], MessageID?) {
        let fetched = try await store.messages(of: conversation.id, in: conversation.workspaceID, before: before, limit: limit + 1)
        let items = Array(fetched.prefix(limit))
        return (items, fetched.count > limit ? items.last?.id : nil)
    }
}
