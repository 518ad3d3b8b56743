import InboxCore
import Synchronization

/// The system clock, except while the demo seeder replays a week of history: then it reads the
/// time the seeder sets, so the seeded conversations spread over realistic past activity.
public final class DemoClock: Sendable {
    private let override = Mutex<Timestamp?>(nil)

    public init() {}

    @Sendable public func now() -> Timestamp {
        override.withLock { $0 } ?? Timestamp.now()
    }

    func set(_ time: Timestamp?) {
        override.withLock { $0 = time }
    }
}
