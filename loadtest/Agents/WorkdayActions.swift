import Foundation

/// What a simulated agent does on each tick of a workday: the mix of an inbox's day, taken from
/// what its own lists show (a claim from Unassigned, replies, finishes, transfers and releases
/// of its own, now and then a small bulk finish). One request at a time per agent.
enum WorkdayActions {
    static func act(_ socket: SimulatedSocket, worker: WorkerSession) {
        guard socket.acting, socket.isIdle, socket.client != nil else { return }
        let roll = worker.random(0..<100)
        let mine = socket.shown(in: "mine"), unassigned = socket.shown(in: "unassigned")
        func pick(_ list: [Int]) -> Int? { list.isEmpty ? nil : list[worker.random(0..<list.count)] }
        if roll < 30 || mine.isEmpty {
            guard let conversation = pick(unassigned) else { return }
            socket.send(kind: "claim", conversationId: conversation, body: #""conversationId":\#(conversation)"#)
        } else if roll < 65, let conversation = pick(mine) {
            let text = "\(latencyMarker()) Olá! Já verifico para você."
            socket.send(kind: "send", conversationId: conversation, body: #""conversationId":\#(conversation),"clientMessageId":"\#(UUID().uuidString)","text":"\#(text)""#)
        } else if roll < 80, let conversation = pick(mine) {
            socket.send(kind: "finish", conversationId: conversation, body: #""conversationId":\#(conversation)"#)
        } else if roll < 90, let conversation = pick(mine), let targets = socket.plan.transferTargets, !targets.isEmpty {
            let agent = targets[worker.random(0..<targets.count)]
            socket.send(kind: "transfer", conversationId: conversation, body: #""conversationId":\#(conversation),"agentId":\#(agent)"#)
        } else if roll < 97, let conversation = pick(mine) {
            socket.send(kind: "release", conversationId: conversation, body: #""conversationId":\#(conversation)"#)
        } else if !mine.isEmpty {
            let ids = Array(mine.shuffled().prefix(3))
            socket.send(kind: "bulk", conversationId: ids[0], body: #""idempotencyKey":"\#(UUID().uuidString)","action":{"type":"finish"},"conversationIds":\#(ids)"#)
        }
    }
}
