import Foundation
import Hummingbird
import NIOCore

/// Reads a JSON request body strictly: bounded size, well-formed, an object at the top, every
/// field of the right type, and no field the endpoint does not know (a typo such as
/// `assigneID` must not silently do nothing).
enum StrictJSONBody {
    static func decode<T: Codable>(_ type: T.Type, from request: Request) async throws -> T {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > ServerLimits.maxBodyBytes {
            throw APIError.payloadTooLarge(limit: ServerLimits.maxBodyBytes)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: ServerLimits.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge(limit: ServerLimits.maxBodyBytes)
        }
        return try decode(type, from: Data(buffer.readableBytesView))
    }

    /// Like ``decode(_:from:)-(_,Request)``, for bodies whose fields are all optional: an empty body is `{}`.
    static func decodeOptional<T: Codable>(_ type: T.Type, from request: Request) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: ServerLimits.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge(limit: ServerLimits.maxBodyBytes)
        }
        return try decode(type, from: buffer.readableBytes == 0 ? Data("{}".utf8) : Data(buffer.readableBytesView))
    }

    static func decode<T: Codable>(_ type: T.Type, from data: Data) throws -> T {
        let tree: Any
        do {
            tree = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw APIError.malformedJSON(data.isEmpty ? "a JSON object body is required" : "the body is not valid JSON")
        }
        guard tree is [String: Any] else { throw APIError.malformedJSON("the body must be a JSON object") }
        let value: T
        do {
            value = try WireJSON.decoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw apiError(for: error)
        }
        // Fields the type does not know are exactly those absent when it is encoded again.
        let known = try JSONSerialization.jsonObject(with: WireJSON.encoder.encode(value), options: [])
        if let unknown = firstUnknownKey(in: tree, knownFrom: known, path: "") {
            throw APIError(.unprocessableContent, "unknown_field", "\(unknown) is not a field of this request", field: unknown)
        }
        return value
    }

    private static func firstUnknownKey(in input: Any, knownFrom known: Any, path: String) -> String? {
        switch (input, known) {
        case (let object as [String: Any], let knownObject as [String: Any]):
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                guard let knownValue = knownObject[key] else {
                    if value is NSNull { continue } // an explicit null for an absent optional
                    return childPath
                }
                if let unknown = firstUnknownKey(in: value, knownFrom: knownValue, path: childPath) { return unknown }
            }
        case (let array as [Any], let knownArray as [Any]):
            for (index, (value, knownValue)) in zip(array, knownArray).enumerated() {
                if let unknown = firstUnknownKey(in: value, knownFrom: knownValue, path: "\(path)[\(index)]") { return unknown }
            }
        default: break
        }
        return nil
    }

    private static func apiError(for error: DecodingError) -> APIError {
        func path(_ context: DecodingError.Context, _ last: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (last.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? WireJSON.swiftToWire($0.stringValue) }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context, key)
            return APIError(.unprocessableContent, "missing_field", "\(field) is required", field: field)
        case .typeMismatch(let type, let context):
            let field = path(context)
            return APIError(.unprocessableContent, "invalid_field", "\(field) must be \(describe(type))", field: field)
        case .valueNotFound(let type, let context):
            let field = path(context)
            return APIError(.unprocessableContent, "invalid_field", "\(field) must be \(describe(type)), not null", field: field)
        case .dataCorrupted(let context):
            let field = path(context)
            guard !field.isEmpty else {
                return APIError(.unprocessableContent, "invalid_field", "a value has the wrong type (integers must be whole numbers)")
            }
            return APIError(.unprocessableContent, "invalid_field", "\(field): \(context.debugDescription)", field: field)
        @unknown default:
            return APIError(.unprocessableContent, "invalid_field", "the body does not match this request")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is [Any].Type: "an array"
        default: String(describing: type).contains("Array") ? "an array" : "a value of another type"
        }
    }
}
