import Hummingbird
import HummingbirdCore
import InboxCore

/// The query string of conversation lists: every filter of ``ConversationFilter`` plus paging.
///
/// `scope=mine&status=open,awaiting_reply&connection=1,2&tag=3&stage=4&department=5&order=oldest&limit=50&cursor=...`
/// Lists may be comma-separated or repeated. Unknown parameters and bad values are 400 `invalid_query`.
struct ConversationQuery {
    var filter: ConversationFilter
    var limit: Int
    var cursor: PageCursor?

    static let filterParameters: Set<String> = ["scope", "status", "connection", "tag", "stage", "department", "order"]
    static let pagingParameters: Set<String> = ["limit", "cursor"]
    static let defaultLimit = 50

    init(_ uri: URI, allowed: Set<String> = filterParameters.union(pagingParameters)) throws {
        let parameters = uri.queryParameters
        for (key, _) in parameters where !allowed.contains(String(key)) {
            throw APIError.invalidQuery(String(key), "unknown query parameter \(key)")
        }
        func values(_ name: String) -> [String] {
            parameters.getAll(name).flatMap { $0.split(separator: ",").map { String($0).trimmingWhitespaceAndPlus } }
                .filter { !$0.isEmpty }
        }
        func single(_ name: String) throws -> String? {
            let all = parameters.getAll(name)
            guard all.count <= 1 else { throw APIError.invalidQuery(name, "\(name) may appear once") }
            return all.first.map { String($0) }
        }
        func enumValue<E: RawRepresentable<String>>(_ name: String, _ raw: String) throws -> E {
            guard let value = E(rawValue: raw) else { throw APIError.invalidQuery(name, "\(raw) is not a valid \(name)") }
            return value
        }
        func ids<E>(_ name: String) throws -> Set<Identifier<E>> {
            Set(try values(name).map { raw in
                guard let id = Int64(raw), id > 0 else { throw APIError.invalidQuery(name, "\(name) takes numeric ids") }
                return Identifier<E>(id)
            })
        }

        var filter = ConversationFilter()
        if let scope = try single("scope") { filter.scope = try enumValue("scope", scope) }
        if let order = try single("order") { filter.order = try enumValue("order", order) }
        filter.statuses = Set(try values("status").map { try enumValue("status", $0) as StatusFilter })
        filter.connectionIDs = try ids("connection")
        filter.tagIDs = try ids("tag")
        filter.stageIDs = try ids("stage")
        filter.departmentIDs = try ids("department")
        do {
            try filter.validate()
        } catch {
            let parameter = ["connections": "connection", "tags": "tag", "stages": "stage", "departments": "department"][error.field ?? ""]
            throw APIError.invalidQuery(parameter ?? "filter", "at most \(ConversationFilter.maxIDsPerSet) ids per parameter")
        }
        self.filter = filter

        if let rawLimit = try single("limit") {
            guard let limit = Int(rawLimit), (1...200).contains(limit) else { throw APIError.invalidQuery("limit", "limit is 1 to 200") }
            self.limit = limit
        } else {
            limit = Self.defaultLimit
        }
        if let rawCursor = try single("cursor"), !rawCursor.isEmpty {
            do {
                cursor = try PageCursor(decoding: rawCursor, order: filter.order)
            } catch {
                throw APIError.invalidQuery("cursor", error.message)
            }
        }
    }
}

private extension String {
    var trimmingWhitespaceAndPlus: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "+" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "+" { slice.removeLast() }
        return String(slice)
    }
}
