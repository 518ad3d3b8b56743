import Hummingbird
import InboxCore

/// `{"items": [...]}`: every list answer has this shape, so it can grow fields later.
struct Items<Element: Codable>: Codable {
    var items: [Element]
}

/// A PATCH/POST body with only an `active` flag or nothing.
struct EmptyBody: Codable {}
