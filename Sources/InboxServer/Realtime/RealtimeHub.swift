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
        var filter: ConversationFilter
        var viewer: Viewer
        var pageSize: Int
        var total: Int
        /// Distinguishes a subscription from the one that replaced it under the same name.
        var generation: Int
        /// False until its snapshot (or resume replay) has been sent.
        var live: Bool
    }

    /// While one of a connection's subscriptions waits for its snapshot, everything for that
    /// connection is held, so that snapshot and changes leave in sequence order and no version
    /// of a conversation ever follows a newer one.
    struct Hold {
        /// Subscriptions still waiting for their snapshot or replay.
        var waiting: Set<SubscriptionRef> = []
        /// Snapshots read, in the order they were read: each goes out after the held changes it includes.
        var snapshots: [(ref: SubscriptionRef, frame: String?, sequence: Int64)] = []
        /// Changes that arrived (or were replayed from the log) meanwhile, by sequence.
        var changes: [Int64: (entry: ChangeLogEntry, message: Message?)] = [:]
        /// Replies to send once everything else has gone out.
        var replies: [String] = []
        /// Opened threads' answers, each consistent with a sequence, released like snapshots.
        var threadAnswers: [(conversation: ConversationID, frame: String, sequence: Int64)] = []
        /// The hold lasts until the feed has applied this sequence: snapshots and replays read
        /// the store directly and may be ahead of the changes the hub has seen.
        var mustReach: Int64 = 0
    }

    let store: Store
    let configuration: RealtimeConfiguration
    var sessions: [Int: ClientSession] = [:]
    var subscriptions: [SubscriptionRef: Subscription] = [:]
    /// Each connection's subscription names, so that counting or dropping a connection's
    /// subscriptions costs what it holds, not what the whole server holds.
    var subscriptionNames: [Int: Set<String>] = [:]
    /// The agent of each connected agent id, for presence snapshots without a scan of every
    /// connection.
    private var connectedAgents: [AgentID: Agent] = [:]
    var index = SubscriptionIndex<SubscriptionRef>()
    var holds: [Int: Hold] = [:]
    /// The last sequence the feed applied, per workspace.
    var appliedSequence: [WorkspaceID: Int64] = [:]
    var threads = ThreadWatchers()
    private var presence = PresenceBoard()
    var lastID = 0
    var deliveredFrames = 0
    /// `deliveredFrames` as last reported to the metrics.
    private var reportedFrames = 0
    /// While the feed applies a batch of changes, each connection's frames are gathered here and
    /// leave as one `batch` message: a burst (a bulk transfer of a thousand conversations) costs a
    /// connection a few large writes instead of a thousand small ones.
    var gathered: [Int: [String]]?
    /// The last conversation JSON encoded, so a change is encoded once for all its recipients.
    var encodedCache: (workspace: WorkspaceID, sequence: Int64, json: String)?
    let now: @Sendable () -> Timestamp
    let metrics: InboxMetrics

    init(store: Store, configuration: RealtimeConfiguration, metrics: InboxMetrics, now: @escaping @Sendable () -> Timestamp) {
        self.store = store
        self.configuration = configuration
        self.metrics = metrics
        self.now = now
    }

    /// Connections, subscriptions, bytes waiting in outbound queues and change frames queued
    /// since the last reading, for `/metrics` (read at scrape time: nothing on the fan-out path).
    func metricReadings() -> (connections: Int, subscriptions: Int, queuedBytes: Int, newDeliveries: Int) {
        defer { reportedFrames = deliveredFrames }
        return (sessions.count, subscriptions.count, sessions.values.reduce(0) { $0 + $1.queuedBytes }, deliveredFrames - reportedFrames)
    }

    // MARK: Connections

    /// Registers a connection, marks its agent online and tells whoever may see that.
    func connect(agent: Agent, tokenHash: String?, latestSequence: Int64) -> ClientSession {
        lastID += 1
        let session = ClientSession(id: lastID, agent: agent, tokenHash: tokenHash, maxQueuedBytes: configuration.maxQueuedBytes)
        sessions[session.id] = session
        connectedAgents[agent.id] = agent
        setPresence(session, .online) // tells the others, never this session
        // The hello is queued before the session can receive anything else (one actor turn).
        session.enqueue(HelloJSON.encode(ServerMessage.Hello(
            agent: agent, seq: latestSequence, presence: presenceSnapshot(for: session),
            heartbeatSeconds: configuration.pingIntervalSeconds, maxMessageBytes: configuration.maxMessageBytes)))
        return session
    }

    func disconnect(_ session: ClientSession) {
        sessions[session.id] = nil
        holds[session.id] = nil
        for name in subscriptionNames[session.id] ?? [] { drop(SubscriptionRef(session: session.id, name: name)) }
        for conversation in threads.closeAll(session: session.id) { broadcastViewers(of: conversation) }
        setPresence(session, nil)
        if presence.status(of: session.agent.id, in: session.viewer.workspaceID) == .offline { connectedAgents[session.agent.id] = nil }
    }

    /// The presence of the agents this session's agent may see, for its `hello`.
    func presenceSnapshot(for session: ClientSession) -> [PresencePayload] {
        let workspace = session.viewer.workspaceID
        return presence.connected(in: workspace).compactMap { agentID, status in
            guard let subject = connectedAgents[agentID], PresenceBoard.canSee(session.agent, presenceOf: subject) else { return nil }
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
    /// Like a list snapshot, the thread's answer is consistent with a sequence number and leaves
    /// in sequence order with the connection's other pushes (see ``Hold``): nothing is missed
    /// between reading the thread and watching it.
    func openThread(_ session: ClientSession, conversationID: ConversationID, requestID: String) async {
        let pending = SubscriptionRef(session: session.id, name: "thread:\(conversationID)")
        threads.open(conversationID, session: session.id, agent: session.agent)
        holds[session.id, default: Hold()].waiting.insert(pending)
        do {
            let thread = try await store.thread(conversationID, in: session.viewer.workspaceID, messageLimit: 50)
            guard session.viewer.canSee(thread.conversation) else { throw InboxError.notFound(entity: "conversation") }
            guard sessions[session.id] != nil, threads.isWatching(session.id, conversationID) else { return }
            let frame = ServerMessage.encode(ServerMessage.Thread(
                id: requestID, conversation: thread.conversation, messages: thread.messages, viewers: threads.viewers(of: conversationID, now: now())))
            readyThread(pending, conversation: conversationID, frame: frame, at: thread.sequence)
            broadcastViewers(of: conversationID, except: session.id)
        } catch {
            threads.close(conversationID, session: session.id)
            holds[session.id]?.waiting.remove(pending)
            session.enqueue(ServerMessage.failure(Self.apiError(error), id: requestID))
            releaseIfReady(session.id)
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
            if let session = sessions[sessionID] { emit(frame, to: session) }
        }
    }

    func deliverToThreads(_ entry: ChangeLogEntry, message: Message?, only sessionID: Int? = nil) {
        let watching = threads.sessions(watching: entry.conversation.id).filter { sessionID == nil || $0 == sessionID }
        guard !watching.isEmpty else { return }
        var frame: String?
        var lostViewers = false
        for sessionID in watching {
            guard let session = sessions[sessionID] else { continue }
            guard session.viewer.canSee(entry.conversation) else {
                // Moved out of the agent's reach: the thread closes, nothing of it is sent.
                threads.close(entry.conversation.id, session: sessionID)
                emit(ServerMessage.encode(ServerMessage.ThreadClosed(conversationID: entry.conversation.id, reason: RemovalReason.notVisible.rawValue)), to: session)
                lostViewers = true
                continue
            }
            if frame == nil {
                frame = ServerMessage.encode(ServerMessage.ThreadChange(
                    seq: entry.sequence, kind: entry.kind.rawValue, conversation: entry.conversation,
                    message: message))
            }
            emit(frame!, to: session)
        }
        if lostViewers { broadcastViewers(of: entry.conversation.id) }
    }

    /// Queues a pushed frame, or gathers it while a batch of changes is being applied.
    func emit(_ frame: String, to session: ClientSession) {
        if gathered != nil {
            gathered![session.id, default: []].append(frame)
        } else {
            session.enqueue(frame)
        }
    }

    /// Sends what a batch gathered: a lone frame as itself, more as `batch` messages of at most
    /// ``RealtimeConfiguration/maxBatchFrames`` frames, in order.
    func flushGathered() {
        guard let frames = gathered else { return }
        gathered = nil
        for (sessionID, queued) in frames {
            guard let session = sessions[sessionID] else { continue }
            guard queued.count > 1 else {
                if let only = queued.first { session.enqueue(only) }
                continue
            }
            var start = 0
            while start < queued.count {
                let end = min(start + configuration.maxBatchFrames, queued.count)
                session.enqueue(ServerMessage.batch(queued[start..<end]))
                start = end
            }
        }
    }

    /// Where the feed starts for a workspace (its sequence when the server started).
    func startFeed(_ workspace: WorkspaceID, at sequence: Int64) {
        appliedSequence[workspace] = max(appliedSequence[workspace] ?? 0, sequence)
    }

    /// An answer to a request, in request order: while the connection's pushes are held for a
    /// snapshot it waits behind them, like the snapshot's own answer.
    func reply(_ session: ClientSession, _ frame: String) {
        if holds[session.id] != nil {
            holds[session.id]?.replies.append(frame)
        } else {
            session.enqueue(frame)
        }
    }

    /// A frame for every connection of one agent (a bulk run's progress).
    func send(toAgent agent: AgentID, in workspace: WorkspaceID, _ frame: String) {
        for session in sessions.values where session.agent.id == agent && session.viewer.workspaceID == workspace {
            session.enqueue(frame)
        }
    }

    var connectionCount: Int { sessions.count }
    var subscriptionCount: Int { subscriptions.count }

    /// Closes every connection (graceful shutdown: clients reconnect elsewhere and resume).
    func closeAll(_ code: RealtimeCloseCode, reason: String) {
        for session in sessions.values { session.close(code, reason: reason) }
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
    static func encodeConversation(_ conversation: Conversation) -> String { ConversationJSON.encode(conversation) }
}

extension RealtimeConfiguration {
    /// Most changes a resume replays; further behind, the client resyncs from snapshots.
    var maxReplay: Int { 20_000 }
    /// Most frames one `batch` message carries.
    var maxBatchFrames: Int { 100 }
}
