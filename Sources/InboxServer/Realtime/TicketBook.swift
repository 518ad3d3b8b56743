import InboxCore

/// Single-use, short-lived tickets that let a browser open a WebSocket without putting its
/// long-lived token in a URL: `POST /api/v1/auth/ws-ticket` issues one, `GET /ws?ticket=` spends it.
actor TicketBook {
    struct Grant: Sendable {
        var tokenHash: String
        var expiresAt: Timestamp
    }

    private var grants: [String: Grant] = [:]
    private let lifetimeMilliseconds: Int64
    private let now: @Sendable () -> Timestamp

    init(lifetimeSeconds: Int, now: @escaping @Sendable () -> Timestamp) {
        lifetimeMilliseconds = Int64(lifetimeSeconds) * 1000
        self.now = now
    }

    /// A new ticket standing for the session with `tokenHash`.
    func issue(for tokenHash: String) -> (ticket: String, expiresAt: Timestamp) {
        let current = now()
        grants = grants.filter { $0.value.expiresAt > current }
        let ticket = Secrets.generate()
        let expiresAt = current.adding(milliseconds: lifetimeMilliseconds)
        grants[Secrets.hash(ticket)] = Grant(tokenHash: tokenHash, expiresAt: expiresAt)
        return (ticket, expiresAt)
    }

    /// The session a ticket stands for, once: a spent or expired ticket is `nil`.
    func redeem(_ ticket: String) -> String? {
        guard let grant = grants.removeValue(forKey: Secrets.hash(ticket)), grant.expiresAt > now() else { return nil }
        return grant.tokenHash
    }
}
