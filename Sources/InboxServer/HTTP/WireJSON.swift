import Foundation

/// The JSON dialect of the wire: camelCase keys with `Id`/`Ids` (Swift's `assigneeID` is
/// `assigneeId` on the wire), timestamps as epoch milliseconds, no escaped slashes.
/// HTTP and WebSocket use these same coders, so a value looks the same everywhere.
public enum WireJSON {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .custom { path in WireKey(swiftToWire(path.last!.stringValue)) }
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in WireKey(wireToSwift(path.last!.stringValue)) }
        return decoder
    }()

    /// `assigneeID` → `assigneeId`, `departmentIDs` → `departmentIds`.
    public static func swiftToWire(_ key: String) -> String {
        key.replacingOccurrences(of: "IDs", with: "Ids").replacingOccurrences(of: "ID", with: "Id")
    }

    /// `assigneeId` → `assigneeID`, `departmentIds` → `departmentIDs`; `id` stays `id`.
    public static func wireToSwift(_ key: String) -> String {
        var result = ""
        var characters = Array(key)[...]
        while let character = characters.first {
            // "Id" at a word boundary: end of key, "s" ending the key, or a following capital.
            if character == "I", characters.dropFirst().first == "d" {
                let after = characters.dropFirst(2)
                if after.isEmpty || after.first!.isUppercase || (after.first == "s" && (after.count == 1 || after.dropFirst().first!.isUppercase)) {
                    result += "ID"
                    characters = after
                    continue
                }
            }
            result.append(character)
            characters = characters.dropFirst()
        }
        return result
    }
}

private struct WireKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
