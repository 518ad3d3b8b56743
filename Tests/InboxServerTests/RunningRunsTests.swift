@testable import InboxServer
import InboxCore
import Testing

/// One agent cannot start unbounded work: a few runs at once, then `too_many_runs` until one ends.
@Suite struct RunningRunsTests {
    @Test func eachAgentHasAFewRunsAtOnce() async {
        let running = RunningRuns(limitPerAgent: 3)
        let ana = AgentID(1), bia = AgentID(2)
        for _ in 0..<3 { #expect(await running.enter(ana)) }
        #expect(await running.enter(ana) == false)
        #expect(await running.enter(bia)) // others are not held back
        await running.leave(ana)
        #expect(await running.enter(ana))
        #expect(await running.enter(ana) == false)
    }
}
