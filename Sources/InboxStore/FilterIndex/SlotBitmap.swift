/// A set of small non-negative integers (a workspace's conversation slots) as a plain bitset:
/// one bit per slot, 64 slots per word. Membership changes are O(1); intersections, unions and
/// counts run over whole words, which is what makes exact counts on a million conversations
/// cost microseconds instead of a table scan.
struct SlotBitmap: Sendable {
    private(set) var words: [UInt64] = []

    init() {}

    /// A bitmap of `slotCount` slots, all set when `filled`.
    init(slotCount: Int, filled: Bool) {
        let wordCount = (slotCount + 63) / 64
        words = Array(repeating: filled ? ~0 : 0, count: wordCount)
        if filled, slotCount % 64 != 0 { words[wordCount - 1] = (1 << UInt64(slotCount % 64)) - 1 }
    }

    func contains(_ slot: Int) -> Bool {
        let word = slot >> 6
        return word < words.count && words[word] & (1 << UInt64(slot & 63)) != 0
    }

    mutating func insert(_ slot: Int) {
        let word = slot >> 6
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word - words.count + 1)) }
        words[word] |= 1 << UInt64(slot & 63)
    }

    mutating func remove(_ slot: Int) {
        let word = slot >> 6
        guard word < words.count else { return }
        words[word] &= ~(1 << UInt64(slot & 63))
    }

    /// Keeps only the slots also in `other`.
    mutating func formIntersection(_ other: SlotBitmap) {
        let shared = min(words.count, other.words.count)
        words.withUnsafeMutableBufferPointer { mine in
            other.words.withUnsafeBufferPointer { theirs in
                for index in 0..<shared { mine[index] &= theirs[index] }
                for index in shared..<mine.count { mine[index] = 0 }
            }
        }
    }

    /// Adds the slots of `other`.
    mutating func formUnion(_ other: SlotBitmap) {
        if other.words.count > words.count { words.append(contentsOf: repeatElement(0, count: other.words.count - words.count)) }
        words.withUnsafeMutableBufferPointer { mine in
            other.words.withUnsafeBufferPointer { theirs in
                for index in 0..<theirs.count { mine[index] |= theirs[index] }
            }
        }
    }

    var count: Int {
        words.withUnsafeBufferPointer { words in words.reduce(0) { $0 + $1.nonzeroBitCount } }
    }

    /// Calls `body` with every slot in the set, in ascending order.
    func forEach(_ body: (Int) -> Void) {
        words.withUnsafeBufferPointer { words in
            for (index, word) in words.enumerated() where word != 0 {
                var rest = word
                while rest != 0 {
                    body(index << 6 | rest.trailingZeroBitCount)
                    rest &= rest - 1
                }
            }
        }
    }
}
