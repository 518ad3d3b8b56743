import Foundation

/// One subscription's list as a client rebuilds it from its snapshot and `change` frames (W3,
/// W4), kept the way a client that never pages further must keep it: the items up to the
/// snapshot's last one (the frontier) are exact, anything sorting beyond it is dropped. At the
/// end it is compared with a fresh snapshot of the same filter, which the server sends after
/// every change it has already sent (W4's ordering), so the comparison is exact even while
/// other changes go on.
struct ListModel {
    struct Key: Comparable {
        let activity: Int64
        let id: Int
        static func < (lhs: Key, rhs: Key) -> Bool { (lhs.activity, lhs.id) < (rhs.activity, rhs.id) }
    }

    struct Entry {
        let key: Key
        let version: Int
    }

    let newestFirst: Bool
    /// A count-only subscription (pageSize 0) hears only `count`; a paged one never does (W4).
    let countOnly: Bool
    private(set) var entries: [Int: Entry] = [:]
    /// The last snapshot item's key when more pages existed; nil when the snapshot held all.
    private(set) var frontier: Key?
    private(set) var total = 0

    init(newestFirst: Bool, countOnly: Bool) {
        self.newestFirst = newestFirst
        self.countOnly = countOnly
    }

    /// Whether `key` sorts at or before `limit` in the list's order.
    func isWithin(_ key: Key, _ limit: Key?) -> Bool {
        guard let limit else { return true }
        return newestFirst ? key >= limit : key <= limit
    }

    mutating func applySnapshot(items: [[String: Any]], total: Int, hasMore: Bool) {
        entries = [:]
        var last: Key?
        for item in items {
            guard let entry = Self.entry(item) else { continue }
            entries[entry.key.id] = entry
            last = entry.key
        }
        frontier = hasMore ? last : nil
        self.total = total
    }

    /// Applies one list entry of a change frame; returns a violation, if any.
    mutating func apply(op: String, conversationId: Int, version: Int, conversation: [String: Any]?, total: Int) -> String? {
        self.total = total
        switch op {
        case "upsert" where countOnly, "remove" where countOnly:
            return "\(op) on a count-only list"
        case "count" where !countOnly:
            return "count op on a paged list"
        case "upsert":
            guard let conversation, let entry = Self.entry(conversation) else {
                return "upsert of \(conversationId) without its conversation"
            }
            if let held = entries[conversationId], held.version >= version {
                return "conversation \(conversationId) version \(version) after \(held.version)"
            }
            if isWithin(entry.key, frontier) { entries[conversationId] = entry } else { entries[conversationId] = nil }
        case "remove":
            entries[conversationId] = nil
        case "count":
            break
        default:
            return "unknown op \(op)"
        }
        return nil
    }

    /// Compares with a fresh snapshot of the same filter; returns what differs.
    func differences(fromSnapshot items: [[String: Any]], total serverTotal: Int, hasMore: Bool) -> [String] {
        var problems: [String] = []
        if total != serverTotal { problems.append("total \(total), server says \(serverTotal)") }
        let serverEntries = items.compactMap(Self.entry)
        // Compare only as far as both lists are exact.
        var limit = frontier
        if hasMore, let last = serverEntries.last?.key, isWithin(last, limit) { limit = last }
        let mine = sorted(entries.values.filter { isWithin($0.key, limit) })
        let theirs = serverEntries.filter { isWithin($0.key, limit) }
        let mineIds = mine.map { "\($0.key.id)@\($0.version)" }, theirIds = theirs.map { "\($0.key.id)@\($0.version)" }
        if mineIds != theirIds {
            problems.append("items differ: client \(mineIds.prefix(8)) vs server \(theirIds.prefix(8)) (\(mine.count) vs \(theirs.count))")
        }
        return problems
    }

    private func sorted(_ list: [Entry]) -> [Entry] {
        list.sorted { newestFirst ? $0.key > $1.key : $0.key < $1.key }
    }

    static func entry(_ conversation: [String: Any]) -> Entry? {
        guard let id = (conversation["id"] as? NSNumber)?.intValue,
              let version = (conversation["version"] as? NSNumber)?.intValue,
              let activity = (conversation["lastActivityAt"] as? NSNumber)?.int64Value else { return nil }
        return Entry(key: Key(activity: activity, id: id), version: version)
    }
}
