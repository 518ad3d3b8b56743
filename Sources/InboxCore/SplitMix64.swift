import Foundation

/// A small seeded random generator (SplitMix64): the demo data, the load generator and the
/// property tests use it so that a run can be replayed exactly from its seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The seed from `SWITCHBOARD_SEED`, or a fresh random one (tests print it on failure).
    public static func seedFromEnvironment() -> UInt64 {
        if let text = ProcessInfo.processInfo.environment["SWITCHBOARD_SEED"], let seed = UInt64(text) { return seed }
        return UInt64.random(in: .min ... .max)
    }

    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }

    public mutating func pick<T>(_ values: [T]) -> T { values.randomElement(using: &self)! }

    /// Each element kept with probability `p`.
    public mutating func subset<T>(_ values: [T], _ p: Double = 0.4) -> [T] { values.filter { _ in chance(p) } }
}
