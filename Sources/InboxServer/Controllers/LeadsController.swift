import Hummingbird
import InboxCore
import InboxStore

/// The CRM-facing API: the CRM owns leads and deals and pushes them here; their tags,
/// departments and stages show on every conversation of the lead at once.
struct LeadsController<Store: InboxStore> {
    let store: Store

    struct ContactBody: Codable {
        var externalID: String
        var name: String
        var handles: [ContactHandle]?
        var tagIDs: [TagID]?
        var departmentIDs: [DepartmentID]?
    }

    struct DealBody: Codable {
        var externalID: String
        /// Our contact id, or...
        var contactID: ContactID?
        /// ...the CRM's id of the contact.
        var contactExternalID: String?
        var stageID: StageID
        var title: String
        var valueCents: Int64?
    }

    struct ContactWithDeals: Codable {
        var contact: Contact
        var deals: [Deal]
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.put("contacts") { request, context in
            let caller = try context.requireRole(.admin, .supervisor)
            let body = try await StrictJSONBody.decode(ContactBody.self, from: request)
            let upsert = ContactUpsert(
                externalID: body.externalID, name: body.name, handles: body.handles, tagIDs: body.tagIDs, departmentIDs: body.departmentIDs)
            return try WireJSON.response(try await store.upsertContact(upsert, in: caller.workspaceID).value)
        }
        group.get("contacts/:id") { _, context in
            // A lead may have conversations an agent may not see; agents read leads through
            // their conversations, not here.
            let caller = try context.requireRole(.admin, .supervisor)
            let id: ContactID = try context.id("id", entity: "contact")
            let contact = try await store.contact(id, in: caller.workspaceID)
            return try WireJSON.response(ContactWithDeals(contact: contact, deals: try await store.deals(of: id, in: caller.workspaceID)))
        }
        group.put("deals") { request, context in
            let caller = try context.requireRole(.admin, .supervisor)
            let body = try await StrictJSONBody.decode(DealBody.self, from: request)
            let contact: ContactReference
            switch (body.contactID, body.contactExternalID) {
            case (let id?, nil): contact = .id(id)
            case (nil, let external?): contact = .externalID(external)
            default:
                throw APIError(.unprocessableContent, "invalid_field", "name the contact by exactly one of contactId or contactExternalId", field: "contactId")
            }
            let upsert = DealUpsert(
                externalID: body.externalID, contact: contact, stageID: body.stageID, title: body.title, valueCents: body.valueCents)
            return try WireJSON.response(try await store.upsertDeal(upsert, in: caller.workspaceID).value)
        }
    }
}
