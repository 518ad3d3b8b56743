import HTTPTypes
import Foundation
import InboxCore
import InboxHub
import InboxStore

/// The hub: every live connection's list subscriptions, and the fan-out of each change to the
/// subscriptions it concerns. Changes arrive in sequence order from ``ChangeFeed``; each is
/// matched through the ``SubscriptionIndex``, its conversation encoded once, and one frame per
/// concerned connection queued (never awaited: sockets drain their own queues).
actor RealtimeHub<Store: InboxStore> {
    struct SubscriptionRef: Hashable, Sendable {
        var session: Int
        var name: String
    }

    struct Subscription {
        enum Phase {
            /// Waiting for its snapshot: changes are kept to be applied after it.
            case pending([ChangeLogEntry])
            /// Live: changes after `sequence` apply (the snapshot already holds the rest).
            case live(after: Int64)
        }
        var filter: ConversationFilter
        var viewer: Viewer
        var pageSize: Int
        var total: Int
        var phase: Phase
        /// Distinguishes a subscription from the one that replaced it under the same name.
        var generation: Int
    }

    let store: Store
    let configuration: RealtimeConfiguration
    private var sessions: [Int: ClientSession] = [:]
    private var subscriptions: [SubscriptionRef: Subscription] = [:]
    private var index = SubscriptionIndex<SubscriptionRef>()
    private var threads = ThreadWatchers()
    private var presence = PresenceBoard()
    private var lastID = 0
    private(set) var deliveredFrames = 0
    let now: @Sendable () -> Timestamp

    init(store: Store, configuration: RealtimeConfiguration, now: @escaping @Sendable () -> Timestamp) {
        self.store = store
        self.configuration = configuration
        self.now = now
    }

    // MARK: Connections

    /// Registers a connection, marks its agent online and tells whoever may see that.
    func connect(agent: Agent, tokenHash: String?, latestSequence: Int64) -> ClientSession {
        lastID += 1
        let session = ClientSession(id: lastID, agent: agent, tokenHash: tokenHash, maxQueuedBytes: configuration.maxQueuedBytes)
        sessions[session.id] = session
        setPresence(session, .online) // tells the others, never this session
        // The hello is queued before the session can receive anything else (one actor turn).
        session.enqueue(ServerMessage.encode(ServerMessage.Hello(
            agent: agent, seq: latestSequence, presence: presenceSnapshot(for: session),
            heartbeatSeconds: configuration.pingIntervalSeconds, maxMessageBytes: configuration.maxMessageBytes)))
        return session
    }

    func disconnect(_ session: ClientSession) {
        sessions[session.id] = nil
        for ref in subscriptions.keys where ref.session == session.id { drop(ref) }
        for conversation in threads.closeAll(session: session.id) { broadcastViewers(of: conversation) }
        setPresence(session, nil)
    }

    /// The presence of the agents this session's agent may see, for its `hello`.
    func presenceSnapshot(for session: ClientSession) -> [PresencePayload] {
        let workspace = session.viewer.workspaceID
        var agents: [AgentID: Agent] = [:]
        for other in sessions.values where other.viewer.workspaceID == workspace { agents[other.agent.id] = other.agent }
        return presence.connected(in: workspace).compactMap { agentID, status in
            guard let subject = agents[agentID], PresenceBoard.canSee(session.agent, presenceOf: subject) else { return nil }
            return PresencePayload(agentID: agentID, status: status)
        }.sorted { $0.agentID < $1.agentID }
    }

    /// A session says online or away (`nil`: it is gone); others hear when the agent's status changes.
    func setPresence(_ session: ClientSession, _ status: PresenceStatus?) {
        let (before, after) = presence.set(status, session: session.id, agent: session.agent.id, workspace: session.viewer.workspaceID)
        guard before != after else { return }
        let frame = ServerMessage.encode(ServerMessage.Presence(agentID: session.agent.id, status: after))
        for other in sessions.values where other.id != session.id && PresenceBoard.canSee(other.agent, presenceOf: session.agent) {
            other.enqueue(frame)
        }
    }

    // MARK: Threads

    /// Opens a conversation's thread: its newest messages and who else is looking, then every
    /// change to it (messages, delivery statuses, state) until closed.
    func openThread(_ session: ClientSession, conversationID: ConversationID, requestID: String) async {
        do {
            let conversation = try await store.conversation(conversationID, in: session.viewer.workspaceID)
            guard session.viewer.canSee(conversation) else { throw InboxError.notFound(entity: "conversation") }
            let messages = try await store.messages(of: conversationID, in: session.viewer.workspaceID, before: nil, limit: 50)
            guard sessions[session.id] != nil else { return }
            threads.open(conversationID, session: session.id, agent: session.agent)
            session.enqueue(ServerMessage.encode(ServerMessage.Thread(
                id: requestID, conversation: conversation, messages: messages, viewers: threads.viewers(of: conversationID, now: now()))))
            broadcastViewers(of: conversationID, except: session.id)
        } catch {
            session.enqueue(ServerMessage.failure(Self.apiError(error), id: requestID))
        }
    }

    func closeThread(_ session: ClientSession, conversationID: ConversationID, requestID: String) {
        if threads.close(conversationID, session: session.id) { broadcastViewers(of: conversationID) }
        session.enqueue(ServerMessage.encode(ServerMessage.OK(id: requestID)))
    }

    /// The agent is typing in an open thread; the others hear when typing starts, and again
    /// when it expires (``tick()``).
    func typing(_ session: ClientSession, conversationID: ConversationID) throws {
        guard threads.isWatching(session.id, conversationID) else {
            throw APIError(.unprocessableContent, "thread_not_open", "open the thread before typing in it", field: "conversationId")
        }
        if threads.typing(conversationID, session: session.id, now: now()) { broadcastViewers(of: conversationID) }
    }

    /// Runs once a second: expires typing marks.
    func tick() {
        for conversation in threads.expireTyping(now: now()) { broadcastViewers(of: conversation) }
    }

    /// The conversations someone has open (the feed fetches their messages for the pushes).
    var watchedConversations: Set<ConversationID> { Set(threads.watchers.keys) }

    private func broadcastViewers(of conversation: ConversationID, except excluded: Int? = nil) {
        let frame = ServerMessage.encode(ServerMessage.Viewers(conversationID: conversation, viewers: threads.viewers(of: conversation, now: now())))
        for sessionID in threads.sessions(watching: conversation) where sessionID != excluded {
            sessions[sessionID]?.enqueue(frame)
        }
    }

    private func deliverToThreads(_ entry: ChangeLogEntry, messages: [MessageID: Message]) {
        let watching = threads.sessions(watching: entry.conversation.id)
        guard !watching.isEmpty else { return }
        var frame: String?
        var lostViewers = false
        for sessionID in watching {
            guard let session = sessions[sessionID] else { continue }
            guard session.viewer.canSee(entry.conversation) else {
                // Moved out of the agent's reach: the thread closes, nothing of it is sent.
                threads.close(entry.conversation.id, session: sessionID)
                session.enqueue(ServerMessage.encode(ServerMessage.ThreadClosed(conversationID: entry.conversation.id, reason: RemovalReason.notVisible.rawValue)))
                lostViewers = true
                continue
            }
            if frame == nil {
                frame = ServerMessage.encode(ServerMessage.ThreadChange(
                    seq: entry.sequence, kind: entry.kind.rawValue, conversation: entry.conversation,
                    message: entry.messageID.flatMap { messages[$0] }))
            }
            session.enqueue(frame!)
        }
        if lostViewers { broadcastViewers(of: entry.conversation.id) }
    }

    var connectionCount: Int { sessions.count }
    var subscriptionCount: Int { subscriptions.count }

    /// Closes every connection (graceful shutdown: clients reconnect elsewhere and resume).
    func closeAll(_ code: RealtimeCloseCode, reason: String) {
        for session in sessions.values { session.close(code, reason: reason) }
    }

    // MARK: Subscriptions

    /// Starts or atomically replaces subscription `name`: answers with a snapshot consistent
    /// with a sequence number, then every later change, with nothing missed or repeated.
    func subscribe(_ session: ClientSession, name: String, filter: ConversationFilter, pageSize: Int, requestID: String?) async {
        let ref = SubscriptionRef(session: session.id, name: name)
        if subscriptions[ref] == nil, subscriptions.keys.filter({ $0.session == session.id }).count >= configuration.maxSubscriptionsPerConnection {
            session.enqueue(ServerMessage.failure(
                APIError(.unprocessableContent, "too_many_subscriptions", "at most \(configuration.maxSubscriptionsPerConnection) subscriptions per connection"),
                id: requestID))
            return
        }
        let generation = register(ref, filter: filter, viewer: session.viewer, pageSize: pageSize)
        do {
            let page = try await store.listConversations(
                filter, viewer: session.viewer, after: nil, limit: max(pageSize, 1), includeTotal: true)
            guard var subscription = subscriptions[ref], subscription.generation == generation else { return }
            session.enqueue(ServerMessage.encode(ServerMessage.Snapshot(
                id: requestID, sub: name, items: pageSize == 0 ? [] : page.items, total: page.total ?? 0,
                cursor: pageSize == 0 ? nil : page.nextCursor?.encoded, seq: page.sequence)))
            subscription.total = page.total ?? 0
            goLive(ref, subscription, after: page.sequence)
        } catch {
            drop(ref)
            session.enqueue(ServerMessage.failure(Self.apiError(error), id: requestID))
        }
    }

    /// The next page of a subscription after `cursor`, read now.
    func more(_ session: ClientSession, name: String, cursor text: String, requestID: String) async {
        let ref = SubscriptionRef(session: session.id, name: name)
        guard let subscription = subscriptions[ref] else {
            session.enqueue(ServerMessage.failure(APIError(.notFound, "unknown_subscription", "no subscription named \(name)", field: "sub"), id: requestID))
            return
        }
        do {
            let cursor = try PageCursor(decoding: text, order: subscription.filter.order)
            let page = try await store.listConversations(
                subscription.filter, viewer: subscription.viewer, after: cursor, limit: max(subscription.pageSize, 1))
            session.enqueue(ServerMessage.encode(ServerMessage.Page(
                id: requestID, sub: name, items: page.items, cursor: page.nextCursor?.encoded, seq: page.sequence)))
        } catch {
            session.enqueue(ServerMessage.failure(Self.apiError(error), id: requestID))
        }
    }

    func unsubscribe(_ session: ClientSession, name: String, requestID: String) {
        let ref = SubscriptionRef(session: session.id, name: name)
        guard subscriptions[ref] != nil else {
            session.enqueue(ServerMessage.failure(APIError(.notFound, "unknown_subscription", "no subscription named \(name)", field: "sub"), id: requestID))
            return
        }
        drop(ref)
        session.enqueue(ServerMessage.encode(ServerMessage.OK(id: requestID)))
    }

    // MARK: Resume

    /// Restores subscriptions after a reconnect: replays, per subscription, exactly the changes
    /// after `lastSequence` from the change log, or answers `resync` (with fresh snapshots)
    /// when the log no longer reaches back that far.
    func resume(_ session: ClientSession, lastSequence: Int64, requested: [(name: String, filter: ConversationFilter, pageSize: Int)], requestID: String) async {
        let workspace = session.viewer.workspaceID
        do {
            let latest = try await store.latestSequence(in: workspace)
            guard lastSequence <= latest, lastSequence >= 0 else {
                throw InboxError.invalidField(field: "lastSeq", reason: "ahead of this workspace's sequence \(latest)")
            }
            let oldest = try await store.oldestSequence(in: workspace)
            let reachable = lastSequence == latest || (oldest.map { $0 <= lastSequence + 1 } ?? false)
            guard reachable, latest - lastSequence <= Int64(configuration.maxReplay) else {
                session.enqueue(ServerMessage.encode(ServerMessage.Resync(id: requestID, reason: "log_truncated")))
                for request in requested {
                    await subscribe(session, name: request.name, filter: request.filter, pageSize: request.pageSize, requestID: nil)
                }
                return
            }
            var endSequence = lastSequence
            for request in requested {
                endSequence = max(endSequence, try await replay(session, request, after: lastSequence))
            }
            session.enqueue(ServerMessage.encode(ServerMessage.Resumed(id: requestID, seq: endSequence)))
        } catch {
            session.enqueue(ServerMessage.failure(Self.apiError(error), id: requestID))
        }
    }

    /// Registers one resumed subscription and sends the changes it missed; returns the sequence
    /// it is live after.
    private func replay(_ session: ClientSession, _ request: (name: String, filter: ConversationFilter, pageSize: Int), after lastSequence: Int64) async throws -> Int64 {
        let ref = SubscriptionRef(session: session.id, name: request.name)
        let viewer = session.viewer
        let generation = register(ref, filter: request.filter, viewer: viewer, pageSize: request.pageSize)
        // The total now, and the sequence it is exact at; totals of replayed changes are derived
        // backwards from it, so every replayed frame carries the exact total of its moment.
        let now = try await store.listConversations(request.filter, viewer: viewer, after: nil, limit: 1, includeTotal: true)
        var missed: [(entry: ChangeLogEntry, change: ListChange)] = []
        var cursor = lastSequence
        while cursor < now.sequence {
            let batch = try await store.changes(in: viewer.workspaceID, after: cursor, limit: 1_000)
            guard let last = batch.last else { break }
            for entry in batch where entry.sequence <= now.sequence {
                if let change = ListChange.of(request.filter, viewer: viewer, previous: entry.previous, current: entry.conversation) {
                    missed.append((entry, change))
                }
            }
            cursor = last.sequence
        }
        guard var subscription = subscriptions[ref], subscription.generation == generation else { return now.sequence }
        var total = (now.total ?? 0) - missed.reduce(0) { $0 + $1.change.totalDelta }
        for (entry, change) in missed {
            total += change.totalDelta
            guard let update = Self.listUpdate(name: request.name, pageSize: request.pageSize, change: change, total: total) else { continue }
            let json = viewer.canSee(entry.conversation) ? ServerMessage.encodeConversation(entry.conversation) : nil
            session.enqueue(ChangeFrame.make(
                sequence: entry.sequence, conversationJSON: json, conversationID: entry.conversation.id,
                version: entry.conversation.version, lists: [update]))
        }
        subscription.total = now.total ?? 0
        goLive(ref, subscription, after: now.sequence)
        return now.sequence
    }

    // MARK: Changes

    /// Fans out changes, in sequence order, to lists and open threads. `messages` holds the
    /// messages of entries about watched conversations.
    func apply(_ entries: [ChangeLogEntry], messages: [MessageID: Message] = [:]) {
        for entry in entries {
            deliver(entry, to: index.candidates(previous: entry.previous, current: entry.conversation))
            deliverToThreads(entry, messages: messages)
        }
    }

    private func deliver(_ entry: ChangeLogEntry, to candidates: Set<SubscriptionRef>) {
        var updates: [Int: [ListUpdate]] = [:]
        for ref in candidates {
            guard var subscription = subscriptions[ref] else { continue }
            switch subscription.phase {
            case .pending(var buffered):
                buffered.append(entry)
                subscription.phase = .pending(buffered)
                subscriptions[ref] = subscription
                continue
            case .live(let after):
                guard entry.sequence > after else { continue }
            }
            guard let change = ListChange.of(subscription.filter, viewer: subscription.viewer, previous: entry.previous, current: entry.conversation)
            else { continue }
            subscription.total += change.totalDelta
            subscriptions[ref] = subscription
            if let update = Self.listUpdate(name: ref.name, pageSize: subscription.pageSize, change: change, total: subscription.total) {
                updates[ref.session, default: []].append(update)
            }
        }
        guard !updates.isEmpty else { return }
        // Encoded once for every recipient allowed to see it.
        var conversationJSON: String?
        for (sessionID, lists) in updates {
            guard let session = sessions[sessionID] else { continue }
            var json: String?
            if session.viewer.canSee(entry.conversation) {
                if conversationJSON == nil { conversationJSON = ServerMessage.encodeConversation(entry.conversation) }
                json = conversationJSON
            }
            session.enqueue(ChangeFrame.make(
                sequence: entry.sequence, conversationJSON: json, conversationID: entry.conversation.id,
                version: entry.conversation.version, lists: lists.sorted { $0.sub < $1.sub }))
            deliveredFrames += 1
        }
    }

    // MARK: Helpers

    private static func listUpdate(name: String, pageSize: Int, change: ListChange, total: Int) -> ListUpdate? {
        if pageSize == 0 {
            // Count-only subscriptions hear only about their total.
            return change.totalDelta == 0 ? nil : ListUpdate(sub: name, op: "count", reason: nil, total: total)
        }
        switch change {
        case .entered, .updated: return ListUpdate(sub: name, op: "upsert", reason: nil, total: total)
        case .left(let reason): return ListUpdate(sub: name, op: "remove", reason: reason.rawValue, total: total)
        }
    }

    /// Files a subscription as pending (replacing any of the same name) and returns its generation.
    private func register(_ ref: SubscriptionRef, filter: ConversationFilter, viewer: Viewer, pageSize: Int) -> Int {
        drop(ref)
        lastID += 1
        subscriptions[ref] = Subscription(filter: filter, viewer: viewer, pageSize: pageSize, total: 0, phase: .pending([]), generation: lastID)
        index.insert(ref, filter: filter, viewer: viewer)
        return lastID
    }

    /// Makes a pending subscription live after `sequence` and applies what it buffered since.
    private func goLive(_ ref: SubscriptionRef, _ subscription: Subscription, after sequence: Int64) {
        var subscription = subscription
        let buffered: [ChangeLogEntry]
        if case .pending(let entries) = subscriptions[ref]?.phase { buffered = entries } else { buffered = [] }
        subscription.phase = .live(after: sequence)
        subscriptions[ref] = subscription
        for entry in buffered where entry.sequence > sequence { deliver(entry, to: [ref]) }
    }

    private func drop(_ ref: SubscriptionRef) {
        guard let old = subscriptions.removeValue(forKey: ref) else { return }
        index.remove(ref, filter: old.filter, viewer: old.viewer)
    }

    static func apiError(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: error
        case let error as InboxError: APIError(error)
        default: APIError.internalError
        }
    }
}

extension ServerMessage {
    static func encodeConversation(_ conversation: Conversation) -> String { encode(conversation) }
}

extension RealtimeConfiguration {
    /// Most changes a resume replays; further behind, the client resyncs from snapshots.
    var maxReplay: Int { 20_000 }
}
