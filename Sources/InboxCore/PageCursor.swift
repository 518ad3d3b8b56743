/// An opaque keyset cursor: the sort key of the last item of a page, plus the order it was taken
/// in, so a cursor cannot be replayed against the other order by mistake.
///
/// Wire form: `<o|n>.<lastActivityAt ms>.<id>` (documented as opaque; clients must not parse it).
public struct PageCursor: Hashable, Sendable {
    public var order: ConversationOrder
    public var after: ConversationSortKey

    public init(order: ConversationOrder, after: ConversationSortKey) {
        self.order = order
        self.after = after
    }

    public var encoded: String {
        "\(order == .newest ? "n" : "o").\(after.lastActivityAt.milliseconds).\(after.id.rawValue)"
    }

    /// Parses a cursor produced by ``encoded`` for a list of `order`.
    public init(decoding text: String, order expected: ConversationOrder) throws(InboxError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let order: ConversationOrder = parts[0] == "n" ? .newest : parts[0] == "o" ? .oldest : nil,
              let millis = Int64(parts[1]), let id = Int64(parts[2])
        else { throw .invalidField(field: "cursor", reason: "not a cursor this server issued") }
        guard order == expected else {
            throw .invalidField(field: "cursor", reason: "cursor was issued for the other order")
        }
        self.init(order: order, after: ConversationSortKey(lastActivityAt: Timestamp(milliseconds: millis), id: ConversationID(id)))
    }
}

/// One page of a conversation list.
public struct ConversationPage: Hashable, Sendable {
    public var items: [Conversation]
    /// Present when more items follow.
    public var nextCursor: PageCursor?
    /// The workspace's change-log sequence the page is consistent with.
    public var sequence: Int64
    /// The exact number of matches at that sequence, when it was asked for.
    public var total: Int?

    public init(items: [Conversation], nextCursor: PageCursor?, sequence: Int64, total: Int? = nil) {
        self.items = items
        self.nextCursor = nextCursor
        self.sequence = sequence
        self.total = total
    }
}
