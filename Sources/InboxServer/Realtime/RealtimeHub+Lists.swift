import CoreMetrics
import Foundation
import HTTPTypes
import InboxCore
import InboxHub
import InboxStore

/// List subscriptions: snapshots, paging, resume, and the fan-out of changes.
///
/// Ordering: a subscription being set up puts its connection on hold (``RealtimeHub/Hold``).
/// When every waiting subscription of the connection has its snapshot (or replay), the held
/// changes and the snapshots go out merged in sequence order: each snapshot after the changes it
/// already includes, each change after the snapshots older than it. So a connection sees
/// sequence numbers increase and never an older version of a conversation after a newer one.
extension RealtimeHub {
    /// Starts or atomically replaces subscription `name` with a snapshot consistent with a
    /// sequence number, then every later change, nothing missed or repeated.
    func subscribe(_ session: ClientSession, name: String, filter: ConversationFilter, pageSize: Int, requestID: String?) async {
        let ref = SubscriptionRef(session: session.id, name: name)
        guard subscriptions[ref] != nil || subscriptionCount(of: session) < configuration.maxSubscriptionsPerConnection else {
            session.enqueue(ServerMessage.failure(
                APIError(.unprocessableContent, "too_many_subscriptions", "at most \(configuration.maxSubscriptionsPerConnection) subscriptions per connection"),
                id: requestID))
            return
        }
        let generation = register(ref, filter: filter, viewer: session.viewer, pageSize: pageSize)
        do {
            let page = try await store.listConversations(filter, viewer: session.viewer, after: nil, limit: max(pageSize, 1), includeTotal: true)
            guard subscriptions[ref]?.generation == generation else { return } // replaced or dropped meanwhile
            subscriptions[ref]?.total = page.total ?? 0
            let frame = ConversationJSON.snapshot(
                id: requestID, sub: name, items: pageSize == 0 ? [] : page.items, total: page.total ?? 0,
                cursor: pageSize == 0 ? nil : page.nextCursor?.encoded, seq: page.sequence)
            raiseMustReach(ref.session, to: page.sequence)
            ready(ref, snapshot: frame, at: page.sequence)
        } catch {
            guard subscriptions[ref]?.generation == generation else { return }
            drop(ref)
            session.enqueue(ServerMessage.failure(Self.apiError(error), id: requestID))
            releaseIfReady(session.id)
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
            session.enqueue(ConversationJSON.page(
                id: requestID, sub: name, items: page.items, cursor: page.nextCursor?.encoded, seq: page.sequence))
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
        releaseIfReady(session.id)
    }

    /// Restores subscriptions after a reconnect: replays exactly the changes after
    /// `lastSequence` from the change log, or answers `resync` (then fresh snapshots) when the log
    /// no longer reaches back that far.
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
            let refs = requested.map { (request: $0, ref: SubscriptionRef(session: session.id, name: $0.name)) }
            let generations = refs.map { register($0.ref, filter: $0.request.filter, viewer: session.viewer, pageSize: $0.request.pageSize) }
            // Each total now, exact at its own sequence; the log up to the newest of those.
            var totals: [(total: Int, sequence: Int64)] = []
            for (request, _) in refs {
                let page = try await store.listConversations(request.filter, viewer: session.viewer, after: nil, limit: 1, includeTotal: true)
                totals.append((page.total ?? 0, page.sequence))
            }
            let end = totals.map(\.sequence).max() ?? lastSequence
            var missed: [ChangeLogEntry] = []
            var cursor = lastSequence
            while cursor < end {
                let batch = try await store.changes(in: workspace, after: cursor, limit: 1_000)
                guard let last = batch.last else { break }
                missed += batch.filter { $0.sequence <= end }
                cursor = last.sequence
            }
            guard zip(refs, generations).allSatisfy({ subscriptions[$0.ref]?.generation == $1 }) else { return }
            // The missed changes and the reply join the hold before the last subscription is
            // marked ready (which releases it).
            hold(session.id, changes: missed)
            raiseMustReach(session.id, to: end)
            holds[session.id]?.replies.append(ServerMessage.encode(ServerMessage.Resumed(id: requestID, seq: max(end, lastSequence))))
            for ((request, ref), (total, sequence)) in zip(refs, totals) {
                // The total at `lastSequence`: the replay walks it forward change by change.
                let replayed = missed.filter { $0.sequence <= sequence }.reduce(0) { sum, entry in
                    sum + (ListChange.of(request.filter, viewer: session.viewer, previous: entry.previous, current: entry.conversation)?.totalDelta ?? 0)
                }
                subscriptions[ref]?.total = total - replayed
                ready(ref, snapshot: nil, at: lastSequence)
            }
            releaseIfReady(session.id)
        } catch {
            for request in requested { drop(SubscriptionRef(session: session.id, name: request.name)) }
            session.enqueue(ServerMessage.failure(Self.apiError(error), id: requestID))
            releaseIfReady(session.id)
        }
    }

    // MARK: Changes

    /// Fans out changes, in sequence order, to lists and open threads. `messages` holds the
    /// messages of entries about watched conversations.
    func apply(_ entries: [ChangeLogEntry], messages: [MessageID: Message] = [:]) {
        defer {
            // Holds waiting for the feed to catch up with their snapshots may end now.
            for sessionID in Array(holds.keys) { releaseIfReady(sessionID) }
        }
        if entries.count > 1 { gathered = [:] }
        defer { flushGathered() } // runs before the releases above: deferred blocks run in reverse
        for entry in entries {
            appliedSequence[entry.workspaceID] = max(appliedSequence[entry.workspaceID] ?? 0, entry.sequence)
            let message = entry.messageID.flatMap { messages[$0] }
            var bySession: [Int: [SubscriptionRef]] = [:]
            for ref in index.candidates(previous: entry.previous, current: entry.conversation) {
                bySession[ref.session, default: []].append(ref)
            }
            for sessionID in threads.sessions(watching: entry.conversation.id) where bySession[sessionID] == nil {
                bySession[sessionID] = []
            }
            let framesBefore = deliveredFrames
            for (sessionID, refs) in bySession {
                if holds[sessionID] != nil {
                    holds[sessionID]?.changes[entry.sequence] = (entry, message)
                } else {
                    deliver(entry, message: message, toSession: sessionID, refs: refs)
                }
            }
            // Once per change, not per recipient: its recipients are served in this same turn.
            if deliveredFrames > framesBefore {
                metrics.changeToPush.recordMilliseconds(max(0, now().milliseconds - entry.createdAt.milliseconds))
            }
        }
    }

    /// One change for one connection: one frame for its lists, then its open thread.
    private func deliver(_ entry: ChangeLogEntry, message: Message?, toSession sessionID: Int, refs: [SubscriptionRef], threads includeThreads: Bool = true) {
        guard let session = sessions[sessionID] else { return }
        var lists: [ListUpdate] = []
        for ref in refs {
            guard var subscription = subscriptions[ref], subscription.live,
                  let change = ListChange.of(subscription.filter, viewer: subscription.viewer, previous: entry.previous, current: entry.conversation)
            else { continue }
            subscription.total += change.totalDelta
            subscriptions[ref] = subscription
            if let update = Self.listUpdate(name: ref.name, pageSize: subscription.pageSize, change: change, total: subscription.total) {
                lists.append(update)
            }
        }
        if !lists.isEmpty {
            // The conversation's JSON is encoded once per change and shared by every recipient;
            // a change that only removes it from lists (or counts) needs no body.
            let shows = lists.contains { $0.op == "upsert" } && session.viewer.canSee(entry.conversation)
            let json = shows ? encodedConversation(entry) : nil
            emit(ChangeFrame.make(
                sequence: entry.sequence, conversationJSON: json, conversationID: entry.conversation.id,
                version: entry.conversation.version, lists: lists.sorted { $0.sub < $1.sub }), to: session)
            deliveredFrames += 1
        }
        if includeThreads { deliverToThreads(entry, message: message, only: sessionID) }
    }

    /// The JSON of the change's conversation, encoded at most once per change.
    private func encodedConversation(_ entry: ChangeLogEntry) -> String {
        if let cached = encodedCache, cached.sequence == entry.sequence, cached.workspace == entry.workspaceID { return cached.json }
        let json = ServerMessage.encodeConversation(entry.conversation)
        encodedCache = (entry.workspaceID, entry.sequence, json)
        return json
    }

    // MARK: Holding

    func raiseMustReach(_ sessionID: Int, to sequence: Int64) {
        // Read first: an optional-chained assignment holds `holds` while its value is computed.
        let current = holds[sessionID]?.mustReach ?? 0
        holds[sessionID]?.mustReach = max(current, sequence)
    }

    private func hold(_ sessionID: Int, changes: [ChangeLogEntry]) {
        for entry in changes where holds[sessionID]?.changes[entry.sequence] == nil {
            holds[sessionID]?.changes[entry.sequence] = (entry, nil)
        }
    }

    /// A waiting subscription got its snapshot (`nil` for a resumed one, live from `sequence`).
    private func ready(_ ref: SubscriptionRef, snapshot frame: String?, at sequence: Int64) {
        holds[ref.session]?.waiting.remove(ref)
        holds[ref.session]?.snapshots.append((ref, frame, sequence))
        releaseIfReady(ref.session)
    }

    /// An opened thread's answer, consistent with `sequence`, joins the ordered release.
    func readyThread(_ pending: SubscriptionRef, conversation: ConversationID, frame: String, at sequence: Int64) {
        raiseMustReach(pending.session, to: sequence)
        holds[pending.session]?.waiting.remove(pending)
        holds[pending.session]?.threadAnswers.append((conversation, frame, sequence))
        releaseIfReady(pending.session)
    }

    /// Once no subscription of the connection waits, sends snapshots and held changes merged in
    /// sequence order, then the replies, and lifts the hold.
    func releaseIfReady(_ sessionID: Int) {
        guard let hold = holds[sessionID], hold.waiting.isEmpty else { return }
        guard let session = sessions[sessionID] else {
            holds[sessionID] = nil
            return
        }
        guard appliedSequence[session.viewer.workspaceID] ?? 0 >= hold.mustReach else { return }
        holds[sessionID] = nil
        var snapshots = hold.snapshots.sorted { $0.sequence < $1.sequence }[...]
        var threadAnswers = hold.threadAnswers.sorted { $0.sequence < $1.sequence }[...]
        // Threads whose answer has not gone out yet: their changes so far are in the answer.
        var unanswered = Set(hold.threadAnswers.map(\.conversation))
        func emitSnapshots(before sequence: Int64) {
            while let next = snapshots.first, next.sequence < sequence {
                snapshots.removeFirst()
                guard subscriptions[next.ref] != nil else { continue }
                subscriptions[next.ref]?.live = true
                if let frame = next.frame { session.enqueue(frame) }
            }
            while let next = threadAnswers.first, next.sequence < sequence {
                threadAnswers.removeFirst()
                unanswered.remove(next.conversation)
                session.enqueue(next.frame)
            }
        }
        // The connection's subscriptions, found once: the release does not add or remove any.
        let refs = (subscriptionNames[sessionID] ?? []).map { SubscriptionRef(session: sessionID, name: $0) }
        for sequence in hold.changes.keys.sorted() {
            emitSnapshots(before: sequence)
            let (entry, message) = hold.changes[sequence]!
            deliver(entry, message: message, toSession: sessionID, refs: refs, threads: !unanswered.contains(entry.conversation.id))
        }
        emitSnapshots(before: .max)
        for reply in hold.replies { session.enqueue(reply) }
    }

    // MARK: Helpers

    func subscriptionCount(of session: ClientSession) -> Int {
        subscriptionNames[session.id]?.count ?? 0
    }

    static func listUpdate(name: String, pageSize: Int, change: ListChange, total: Int) -> ListUpdate? {
        if pageSize == 0 {
            // Count-only subscriptions hear only about their total.
            return change.totalDelta == 0 ? nil : ListUpdate(sub: name, op: "count", reason: nil, total: total)
        }
        switch change {
        case .entered, .updated: return ListUpdate(sub: name, op: "upsert", reason: nil, total: total)
        case .left(let reason): return ListUpdate(sub: name, op: "remove", reason: reason.rawValue, total: total)
        }
    }

    /// Files a subscription as waiting (replacing any of the same name), puts its connection on
    /// hold, and returns its generation.
    func register(_ ref: SubscriptionRef, filter: ConversationFilter, viewer: Viewer, pageSize: Int) -> Int {
        drop(ref)
        lastID += 1
        subscriptions[ref] = Subscription(filter: filter, viewer: viewer, pageSize: pageSize, total: 0, generation: lastID, live: false)
        subscriptionNames[ref.session, default: []].insert(ref.name)
        index.insert(ref, filter: filter, viewer: viewer)
        holds[ref.session, default: Hold()].waiting.insert(ref)
        return lastID
    }

    func drop(_ ref: SubscriptionRef) {
        holds[ref.session]?.waiting.remove(ref)
        guard let old = subscriptions.removeValue(forKey: ref) else { return }
        subscriptionNames[ref.session]?.remove(ref.name)
        if subscriptionNames[ref.session]?.isEmpty == true { subscriptionNames[ref.session] = nil }
        index.remove(ref, filter: old.filter, viewer: old.viewer)
    }
}
