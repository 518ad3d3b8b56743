import Hummingbird
import InboxCore
import InboxStore

/// Admin management of agents; every role may list them (to show names and transfer targets).
struct AgentsController<Store: InboxStore> {
    let store: Store
    let hasher: PasswordHasher

    static var minimumPasswordLength: Int { 8 }

    struct CreateAgent: Codable {
        var name: String
        var email: String
        var password: String
        var role: Role
        var departmentIDs: [DepartmentID]?
        var maxOpenConversations: Int?
    }

    struct UpdateAgent: Codable {
        var name: String?
        var email: String?
        var password: String?
        var role: Role?
        var departmentIDs: [DepartmentID]?
        var active: Bool?
        /// `null` removes the cap; absent leaves it.
        var maxOpenConversations: Int??

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            email = try container.decodeIfPresent(String.self, forKey: .email)
            password = try container.decodeIfPresent(String.self, forKey: .password)
            role = try container.decodeIfPresent(Role.self, forKey: .role)
            departmentIDs = try container.decodeIfPresent([DepartmentID].self, forKey: .departmentIDs)
            active = try container.decodeIfPresent(Bool.self, forKey: .active)
            if container.contains(.maxOpenConversations) {
                maxOpenConversations = .some(try container.decodeNil(forKey: .maxOpenConversations)
                    ? nil : try container.decode(Int.self, forKey: .maxOpenConversations))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(name, forKey: .name)
            try container.encodeIfPresent(email, forKey: .email)
            try container.encodeIfPresent(password, forKey: .password)
            try container.encodeIfPresent(role, forKey: .role)
            try container.encodeIfPresent(departmentIDs, forKey: .departmentIDs)
            try container.encodeIfPresent(active, forKey: .active)
            if case .some(let cap) = maxOpenConversations { try container.encode(cap, forKey: .maxOpenConversations) }
        }

        enum CodingKeys: String, CodingKey {
            case name, email, password, role, departmentIDs, active, maxOpenConversations
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("agents", use: list)
        group.post("agents", use: create)
        group.get("agents/:id", use: get)
        group.patch("agents/:id", use: update)
        group.delete("agents/:id", use: deactivate)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireAgent()
        return try WireJSON.response(Items(items: try await store.agents(in: caller.workspaceID)))
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireAgent()
        return try WireJSON.response(try await store.agent(try context.id("id", entity: "agent"), in: caller.workspaceID))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireRole(.admin)
        let body = try await StrictJSONBody.decode(CreateAgent.self, from: request)
        try Self.checkPassword(body.password)
        let draft = AgentDraft(
            name: body.name, email: body.email, passwordHash: try await hasher.hash(body.password), role: body.role,
            departmentIDs: body.departmentIDs ?? [], maxOpenConversations: body.maxOpenConversations)
        return try WireJSON.response(try await store.createAgent(draft, in: caller.workspaceID), status: .created)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireRole(.admin)
        let id: AgentID = try context.id("id", entity: "agent")
        let body = try await StrictJSONBody.decode(UpdateAgent.self, from: request)
        if id == caller.id, body.active == false || (body.role.map { $0 != .admin } ?? false) {
            throw APIError(.unprocessableContent, "invalid_field", "admins cannot deactivate or demote themselves", field: body.active == false ? "active" : "role")
        }
        if let password = body.password { try Self.checkPassword(password) }
        let patch = AgentPatch(
            name: body.name, email: body.email, passwordHash: try await body.password.asyncMap(hasher.hash),
            role: body.role, departmentIDs: body.departmentIDs, active: body.active,
            maxOpenConversations: body.maxOpenConversations)
        let agent = try await store.updateAgent(id, in: caller.workspaceID, with: patch)
        if !agent.active || body.password != nil { try await store.revokeSessions(of: agent.id) }
        return try WireJSON.response(agent)
    }

    @Sendable func deactivate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireRole(.admin)
        let id: AgentID = try context.id("id", entity: "agent")
        guard id != caller.id else {
            throw APIError(.unprocessableContent, "invalid_field", "admins cannot deactivate themselves", field: "id")
        }
        let agent = try await store.updateAgent(id, in: caller.workspaceID, with: AgentPatch(active: false))
        try await store.revokeSessions(of: agent.id)
        return try WireJSON.response(agent)
    }

    static func checkPassword(_ password: String) throws {
        guard password.count >= minimumPasswordLength, password.utf8.count <= 72 else {
            // bcrypt reads at most 72 bytes; longer passwords would silently be truncated.
            throw APIError(.unprocessableContent, "invalid_field", "a password has at least \(minimumPasswordLength) characters and at most 72 bytes", field: "password")
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
