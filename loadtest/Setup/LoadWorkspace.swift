import AsyncHTTPClient
import Foundation
import NIOHTTP1

/// The workspace a scenario runs in, as the server's admin sees it: the load agents (created on
/// first use, their sessions cached between runs because a login costs a bcrypt hash), the
/// `loadtest` connection customers write through, and the workspace's departments, tags and
/// stages for realistic filter mixes.
struct LoadWorkspace: Sendable {
    struct Agent: Codable, Sendable {
        let id: Int
        let email: String
        var token: String
    }

    let api: ServerAPI
    let adminToken: String
    let agents: [Agent]
    let connectionId: Int
    let connectionSecret: String
    let departmentIds: [Int]
    let tagIds: [Int]
    let stageIds: [Int]
    let connectionIds: [Int]

    static let password = "loadtest-1234"
    /// A bcrypt hash (cost 4) of ``password``: `seed --direct` creates missing load agents with
    /// it while the server is stopped, and they log in like the ones created through the API.
    static let passwordHash = "$2b$04$dM5A2mQQqXI.en0fbmsweu1P8hlcRuCGEpws0/D64NjMTNp1h65De"

    /// Load agent number `number` (from 1): its email, name and department (the workspace's
    /// active departments in the API's order, by name), the same whoever creates it.
    static func agentEmail(_ number: Int) -> String { String(format: "lt%05d@loadtest.switchboard.dev", number) }
    static func agentName(_ number: Int) -> String { "Load \(number)" }
    static func agentDepartment<T>(_ number: Int, of departments: [T]) -> T? {
        departments.isEmpty ? nil : departments[number % departments.count]
    }

    static func prepare(api: ServerAPI, adminEmail: String, adminPassword: String, agentCount: Int) async throws -> LoadWorkspace {
        let login = try await api.call(.POST, "/api/v1/auth/login", body: ["email": adminEmail, "password": adminPassword])
        guard let adminToken = login["token"] as? String else { throw LoadTestFailure("admin login gave no token") }
        var cache = TokenCache(server: "\(api.host)-\(api.port)")

        func items(_ path: String) async throws -> [[String: Any]] {
            try await api.call(.GET, path, token: adminToken)["items"] as? [[String: Any]] ?? []
        }
        let departments = try await items("/api/v1/departments").filter { $0["active"] as? Bool ?? true }.compactMap { $0["id"] as? Int }
        let tags = try await items("/api/v1/tags").filter { $0["active"] as? Bool ?? true }.compactMap { $0["id"] as? Int }
        let pipelines = try await items("/api/v1/pipelines")
        let stages = pipelines.flatMap { ($0["stages"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int } }
        let connections = try await items("/api/v1/connections")
        var connectionIds = connections.filter { $0["active"] as? Bool ?? true }.compactMap { $0["id"] as? Int }

        // The connection load customers write through, with a fresh secret for this run.
        let connectionId: Int, secret: String
        if let existing = connections.first(where: { $0["name"] as? String == "loadtest" }), let id = existing["id"] as? Int {
            connectionId = id
            secret = try await api.call(.POST, "/api/v1/connections/\(id)/secret", token: adminToken)["secret"] as? String ?? ""
        } else {
            let created = try await api.call(.POST, "/api/v1/connections", token: adminToken, body: ["name": "loadtest", "kind": "api"])
            connectionId = (created["connection"] as? [String: Any])?["id"] as? Int ?? 0
            secret = created["secret"] as? String ?? ""
            connectionIds.append(connectionId)
        }

        // Agents lt0001… : reuse cached sessions that still work, create or log in the rest.
        let existingAgents = try await items("/api/v1/agents")
        var byEmail: [String: Int] = [:]
        for agent in existingAgents { if let email = agent["email"] as? String, let id = agent["id"] as? Int { byEmail[email] = id } }
        var agents: [Agent] = []
        try await withThrowingTaskGroup(of: Agent.self) { group in
            var started = 0
            func startNext() {
                guard started < agentCount else { return }
                let number = started + 1
                started += 1
                let email = agentEmail(number)
                let knownId = byEmail[email]
                let cached = cache.tokens[email]
                let department = agentDepartment(number, of: departments)
                group.addTask {
                    if let cached, let knownId, (try? await api.call(.GET, "/api/v1/auth/me", token: cached)) != nil {
                        return Agent(id: knownId, email: email, token: cached)
                    }
                    var id = knownId
                    if id == nil {
                        var body: [String: Any] = ["name": agentName(number), "email": email, "password": password, "role": "agent"]
                        if let department { body["departmentIds"] = [department] }
                        id = try await api.call(.POST, "/api/v1/agents", token: adminToken, body: body)["id"] as? Int
                    }
                    let session = try await api.call(.POST, "/api/v1/auth/login", body: ["email": email, "password": password])
                    guard let id, let token = session["token"] as? String else { throw LoadTestFailure("could not log in \(email)") }
                    return Agent(id: id, email: email, token: token)
                }
            }
            for _ in 0..<min(16, agentCount) { startNext() }
            for try await agent in group {
                agents.append(agent)
                if agents.count % 200 == 0 { Console.line("  … \(agents.count)/\(agentCount) load agents ready") }
                startNext()
            }
        }
        agents.sort { $0.email < $1.email }
        for agent in agents { cache.tokens[agent.email] = agent.token }
        cache.save()
        return LoadWorkspace(
            api: api, adminToken: adminToken, agents: agents, connectionId: connectionId, connectionSecret: secret,
            departmentIds: departments, tagIds: tags, stageIds: stages, connectionIds: connectionIds)
    }
}

/// Load agents' session tokens between runs (`~/.cache/switchboard-loadtest/`), so a run does not
/// pay a bcrypt login per agent each time. Tokens of a dead session are refreshed automatically.
private struct TokenCache {
    let file: URL
    var tokens: [String: String]

    init(server: String) {
        let folder = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/switchboard-loadtest")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        file = folder.appendingPathComponent("\(server).json")
        tokens = (try? JSONDecoder().decode([String: String].self, from: Data(contentsOf: file))) ?? [:]
    }

    func save() { try? JSONEncoder().encode(tokens).write(to: file) }
}
