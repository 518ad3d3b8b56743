import Hummingbird
import InboxCore
import InboxStore

/// Connections (channels) and pipelines: listed by everyone, managed by admins.
struct ConnectionsController<Store: InboxStore> {
    let store: Store

    struct ConnectionBody: Codable {
        var kind: ConnectionKind?
        var name: String?
        var active: Bool?
    }

    /// A connection with its inbound secret, shown once: at creation and at rotation.
    struct ConnectionWithSecret: Codable {
        var connection: Connection
        var secret: String
    }

    /// A connection whose webhook adapter was just set, with its signing secret, shown once.
    struct OutboundAnswer: Codable {
        var connection: Connection
        var signingSecret: String?
    }

    struct PipelineBody: Codable {
        var name: String?
        var active: Bool?
        var stages: [String]?
    }

    struct StageBody: Codable {
        var name: String?
        var position: Int?
        var active: Bool?
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("connections") { _, context in
            try WireJSON.response(Items(items: try await store.connections(in: try context.requireAgent().workspaceID)))
        }
        group.post("connections") { request, context in
            let caller = try context.requireRole(.admin)
            let body = try await StrictJSONBody.decode(ConnectionBody.self, from: request)
            guard let name = body.name else { throw DirectoryController<Store>.missing("name") }
            try DirectoryController<Store>.rejectActiveOnCreate(body.active)
            let secret = Secrets.generate()
            let connection = try await store.createConnection(
                kind: body.kind ?? .api, name: name, secretHash: Secrets.hash(secret), in: caller.workspaceID)
            return try WireJSON.response(ConnectionWithSecret(connection: connection, secret: secret), status: .created)
        }
        group.patch("connections/:id") { request, context in
            let caller = try context.requireRole(.admin)
            let body = try await StrictJSONBody.decode(ConnectionBody.self, from: request)
            return try WireJSON.response(try await store.updateConnection(
                try context.id("id", entity: "connection"), in: caller.workspaceID,
                with: ConnectionPatch(name: body.name, kind: body.kind, active: body.active)))
        }
        // Setting a webhook adapter issues a new signing secret, returned this once.
        group.put("connections/:id/outbound") { request, context in
            let caller = try context.requireRole(.admin)
            let settings = try await StrictJSONBody.decode(OutboundSettings.self, from: request)
            let secret = settings.adapter == .webhook ? Secrets.generate() : nil
            let connection = try await store.updateConnection(
                try context.id("id", entity: "connection"), in: caller.workspaceID,
                with: ConnectionPatch(outbound: settings, outboundSecret: secret))
            return try WireJSON.response(OutboundAnswer(connection: connection, signingSecret: secret))
        }
        group.delete("connections/:id") { _, context in
            let caller = try context.requireRole(.admin)
            return try WireJSON.response(try await store.updateConnection(
                try context.id("id", entity: "connection"), in: caller.workspaceID, with: ConnectionPatch(active: false)))
        }
        group.post("connections/:id/secret") { _, context in
            let caller = try context.requireRole(.admin)
            let secret = Secrets.generate()
            let connection = try await store.updateConnection(
                try context.id("id", entity: "connection"), in: caller.workspaceID, with: ConnectionPatch(secretHash: Secrets.hash(secret)))
            return try WireJSON.response(ConnectionWithSecret(connection: connection, secret: secret))
        }

        group.get("pipelines") { _, context in
            try WireJSON.response(Items(items: try await store.pipelines(in: try context.requireAgent().workspaceID)))
        }
        group.post("pipelines") { request, context in
            let caller = try context.requireRole(.admin)
            let body = try await StrictJSONBody.decode(PipelineBody.self, from: request)
            guard let name = body.name else { throw DirectoryController<Store>.missing("name") }
            try DirectoryController<Store>.rejectActiveOnCreate(body.active)
            let pipeline = try await store.createPipeline(name: name, stageNames: body.stages ?? [], in: caller.workspaceID)
            return try WireJSON.response(pipeline, status: .created)
        }
        group.patch("pipelines/:id") { request, context in
            let caller = try context.requireRole(.admin)
            let body = try await StrictJSONBody.decode(PipelineBody.self, from: request)
            guard body.stages == nil else {
                throw APIError(.unprocessableContent, "invalid_field", "change stages through /pipelines/{id}/stages", field: "stages")
            }
            return try WireJSON.response(try await store.updatePipeline(
                try context.id("id", entity: "pipeline"), in: caller.workspaceID, name: body.name, active: body.active))
        }
        group.delete("pipelines/:id") { _, context in
            let caller = try context.requireRole(.admin)
            return try WireJSON.response(try await store.updatePipeline(
                try context.id("id", entity: "pipeline"), in: caller.workspaceID, name: nil, active: false))
        }
        group.post("pipelines/:id/stages") { request, context in
            let caller = try context.requireRole(.admin)
            let body = try await StrictJSONBody.decode(StageBody.self, from: request)
            guard let name = body.name else { throw DirectoryController<Store>.missing("name") }
            try DirectoryController<Store>.rejectActiveOnCreate(body.active)
            let pipeline = try await store.addStage(
                name: name, position: body.position, to: try context.id("id", entity: "pipeline"), in: caller.workspaceID)
            return try WireJSON.response(pipeline, status: .created)
        }
        group.patch("stages/:id") { request, context in
            let caller = try context.requireRole(.admin)
            let body = try await StrictJSONBody.decode(StageBody.self, from: request)
            return try WireJSON.response(try await store.updateStage(
                try context.id("id", entity: "stage"), in: caller.workspaceID, name: body.name, position: body.position, active: body.active))
        }
    }
}
