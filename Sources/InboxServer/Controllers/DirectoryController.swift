import Hummingbird
import InboxCore
import InboxStore

/// Departments and tags: listed by everyone, managed by admins; DELETE deactivates, because
/// conversations and leads keep referring to them.
struct DirectoryController<Store: InboxStore> {
    let store: Store

    struct DepartmentBody: Codable {
        var name: String?
        var active: Bool?
    }

    struct TagBody: Codable {
        var name: String?
        var color: String?
        var active: Bool?
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("departments") { _, context in
            try WireJSON.response(Items(items: try await store.departments(in: try context.requireAgent().workspaceID)))
        }
        group.post("departments") { request, context in
            let caller = try context.requireRole(.admin)
            let body = try await StrictJSONBody.decode(DepartmentBody.self, from: request)
            guard let name = body.name else { throw Self.missing("name") }
            try Self.rejectActiveOnCreate(body.active)
            let created = try await store.createDepartment(name: name, in: caller.workspaceID)
            return try WireJSON.response(created, status: .created)
        }
        group.patch("departments/:id") { request, context in
            let caller = try context.requireRole(.admin)
            let body = try await StrictJSONBody.decode(DepartmentBody.self, from: request)
            return try WireJSON.response(try await store.updateDepartment(
                try context.id("id", entity: "department"), in: caller.workspaceID, name: body.name, active: body.active))
        }
        group.delete("departments/:id") { _, context in
            let caller = try context.requireRole(.admin)
            return try WireJSON.response(try await store.updateDepartment(
                try context.id("id", entity: "department"), in: caller.workspaceID, name: nil, active: false))
        }

        group.get("tags") { _, context in
            try WireJSON.response(Items(items: try await store.tags(in: try context.requireAgent().workspaceID)))
        }
        group.post("tags") { request, context in
            let caller = try context.requireRole(.admin, .supervisor)
            let body = try await StrictJSONBody.decode(TagBody.self, from: request)
            guard let name = body.name else { throw Self.missing("name") }
            try Self.rejectActiveOnCreate(body.active)
            let created = try await store.createTag(name: name, color: body.color ?? "#64748b", in: caller.workspaceID)
            return try WireJSON.response(created, status: .created)
        }
        group.patch("tags/:id") { request, context in
            let caller = try context.requireRole(.admin, .supervisor)
            let body = try await StrictJSONBody.decode(TagBody.self, from: request)
            return try WireJSON.response(try await store.updateTag(
                try context.id("id", entity: "tag"), in: caller.workspaceID, name: body.name, color: body.color, active: body.active))
        }
        group.delete("tags/:id") { _, context in
            let caller = try context.requireRole(.admin, .supervisor)
            return try WireJSON.response(try await store.updateTag(
                try context.id("id", entity: "tag"), in: caller.workspaceID, name: nil, color: nil, active: false))
        }
    }

    static func missing(_ field: String) -> APIError {
        APIError(.unprocessableContent, "missing_field", "\(field) is required", field: field)
    }

    /// Creation makes active things; `active` is changed by PATCH and DELETE only.
    static func rejectActiveOnCreate(_ active: Bool?) throws {
        if active != nil {
            throw APIError(.unprocessableContent, "invalid_field", "active is set with PATCH or DELETE, not at creation", field: "active")
        }
    }
}
