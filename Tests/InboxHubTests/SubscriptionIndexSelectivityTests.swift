import InboxCore
import InboxHub
import Testing

/// The index's cost grows with the subscriptions a change concerns, not with all of them.
@Suite("SubscriptionIndex: selectivity")
struct SubscriptionIndexSelectivityTests {
    static let agentCount: Int64 = 1_000

    /// Handle of agent `a`'s list in workspace `w` (1 or 2).
    static func handle(agent: Int64, workspace: Int64) -> Int { Int(workspace * 10_000 + agent) }

    /// Every agent of both workspaces watching their Mine list, plus a few admins watching everything.
    static func mineIndex() -> (SubscriptionIndex<Int>, total: Int) {
        var index = SubscriptionIndex<Int>()
        var total = 0
        for w: Int64 in [1, 2] {
            for a in 1...agentCount {
                let viewer = Fixture.viewer(agent: a, workspace: WorkspaceID(w), role: .agent, departments: [a])
                index.insert(handle(agent: a, workspace: w), filter: ConversationFilter(scope: .mine), viewer: viewer)
                total += 1
            }
            for admin in 0..<3 {
                let viewer = Fixture.viewer(agent: 5_000 + Int64(admin), workspace: WorkspaceID(w), role: .admin)
                index.insert(Int(w) * 10_000 + 5_000 + admin, filter: ConversationFilter(), viewer: viewer)
                total += 1
            }
        }
        return (index, total)
    }

    @Test func aTransferConcernsTheTwoAgentsMineListsNotEveryAgents() {
        let (index, total) = Self.mineIndex()
        var rng = SplitMix64(seed: 42)
        for _ in 0..<50 {
            let from = Int64(rng.int(1...Int(Self.agentCount)))
            let to = Int64(rng.int(1...Int(Self.agentCount)))
            let previous = Fixture.conversation(assignee: from, departments: [from])
            let current = previous.changed { $0.assigneeID = AgentID(to) }
            let candidates = index.candidates(previous: previous, current: current)
            #expect(candidates.contains(Self.handle(agent: from, workspace: 1)))
            #expect(candidates.contains(Self.handle(agent: to, workspace: 1)))
            #expect(candidates.count < total / 10, "\(candidates.count) of \(total)")
            #expect(candidates.count <= 2 + 3, "\(candidates.sorted())")
        }
    }

    @Test func anUpdateOfOneAgentsConversationConcernsOnlyTheirMineList() {
        let (index, total) = Self.mineIndex()
        let previous = Fixture.conversation(assignee: 7, tags: [1])
        let current = previous.changed { $0.tagIDs = [TagID(2)]; $0.awaitingReply = true }
        let candidates = index.candidates(previous: previous, current: current)
        let mineCandidates = candidates.filter { $0 % 10_000 <= Int(Self.agentCount) }
        #expect(mineCandidates == [Self.handle(agent: 7, workspace: 1)])
        #expect(candidates.count < total / 10)
    }

    @Test func unassignedConversationsConcernNoMineList() {
        let (index, _) = Self.mineIndex()
        let previous = Fixture.conversation(assignee: nil)
        let current = previous.changed { $0.unreadCount = 3 }
        let candidates = index.candidates(previous: previous, current: current)
        #expect(candidates.allSatisfy { $0 % 10_000 >= 5_000 }, "\(candidates.sorted())")
    }

    @Test func agentsAllListsAreFiledUnderTheirDepartments() {
        var index = SubscriptionIndex<Int>()
        for a in 1...Self.agentCount {
            let viewer = Fixture.viewer(agent: a, role: .agent, departments: [a])
            index.insert(Int(a), filter: ConversationFilter(), viewer: viewer)
        }
        // Moved from department 3 to 4, assigned to nobody: agents 3 and 4 only.
        let previous = Fixture.conversation(departments: [3])
        let current = previous.changed { $0.departmentIDs = [DepartmentID(4)] }
        #expect(index.candidates(previous: previous, current: current) == [3, 4])
        // Assigned to agent 9 in department 5: agents 5 and 9 only.
        let owned = Fixture.conversation(assignee: 9, departments: [5])
        #expect(index.candidates(previous: owned, current: owned.changed { $0.unreadCount = 1 }) == [5, 9])
    }
}
