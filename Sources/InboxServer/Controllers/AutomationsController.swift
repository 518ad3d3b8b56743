import Hummingbird
import InboxCore
import InboxStore

/// Automations: defined by admins, listed by everyone (agents pick manual ones to run on a
/// selection), with the record of their runs.
struct AutomationsController<Store: InboxStore> {
    let store: Store

    struct AutomationBody: Codable {
        var name: String
        var trigger: AutomationTrigger
        var actions: [AutomationAction]
        var active: Bool?
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("automations") { _, context in
            try WireJSON.response(Items(items: try await store.automations(in: try context.requireAgent().workspaceID)))
        }
        group.post("automations") { request, context in
            let caller = try context.requireRole(.admin)
            let body = try await StrictJSONBody.decode(AutomationBody.self, from: request)
            let automation = try await store.createAutomation(
                AutomationDraft(name: body.name, trigger: body.trigger, actions: body.actions, active: body.active ?? true), in: caller.workspaceID)
            return try WireJSON.response(automation, status: .created)
        }
        group.get("automations/:id") { _, context in
            let caller = try context.requireAgent()
            return try WireJSON.response(try await store.automation(try context.id("id", entity: "automation"), in: caller.workspaceID))
        }
        // The whole automation is replaced: what an admin saves is what runs.
        group.put("automations/:id") { request, context in
            let caller = try context.requireRole(.admin)
            let body = try await StrictJSONBody.decode(AutomationBody.self, from: request)
            return try WireJSON.response(try await store.updateAutomation(
                try context.id("id", entity: "automation"), in: caller.workspaceID,
                with: AutomationDraft(name: body.name, trigger: body.trigger, actions: body.actions, active: body.active ?? true)))
        }
        group.get("automations/:id/runs") { request, context in
            let caller = try context.requireRole(.admin, .supervisor)
            return try WireJSON.response(Items(items: try await store.runs(
                of: try context.id("id", entity: "automation"), in: caller.workspaceID, limit: 100)))
        }
    }
}
