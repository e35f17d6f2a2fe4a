import Foundation

/// A parsed JSON value.
///
/// Decoded through `JSONDecoder` rather than `JSONSerialization`, because the latter returns
/// `NSNumber` for both booleans and numbers on Linux, so `true` and `1` cannot be told apart.
/// `JSONDecoder` refuses to decode a number as `Bool` or a boolean as a number.
public enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number with an integral value that fits `Int` (`JSONDecoder` also reads `3.0` and `1e3`
    /// as integers).
    case integer(Int)
    /// Any other number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array, in order.
    case array([JSONValue])
    /// An object; of a repeated key, `JSONDecoder` keeps the first occurrence.
    case object([String: JSONValue])

    /// Parses `data` as one JSON document, throwing `DecodingError` when it is not valid JSON.
    static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// The value as an `Int`, if it is an integer.
    public var intValue: Int? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The value as a `Double`, if it is any number.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        default: return nil
        }
    }

    /// The value as a `String`, if it is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value as a `Bool`, if it is `true` or `false` (numbers are not booleans).
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, if the value is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members, if the value is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The kind of value with an article, for error messages ("an integer", "null").
    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer: return "an integer"
        case .number: return "a non-integral number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

extension JSONValue: Decodable {
    private struct MemberKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    /// Decodes any JSON value; a number that fits neither `Int` nor `Double` (such as `1e400`)
    /// is a decoding error.
    public init(from decoder: any Decoder) throws {
        // Scalars first, through a single-value container whose typed decodes fail without
        // consuming anything when the type does not match; then arrays and objects, whose element
        // errors must propagate rather than be mistaken for a type mismatch.
        if let scalar = try? decoder.singleValueContainer() {
            if scalar.decodeNil() { self = .null; return }
            if let value = try? scalar.decode(Bool.self) { self = .bool(value); return }
            if let value = try? scalar.decode(Int.self) { self = .integer(value); return }
            if let value = try? scalar.decode(Double.self) { self = .number(value); return }
            if let value = try? scalar.decode(String.self) { self = .string(value); return }
        }
        if var elements = try? decoder.unkeyedContainer() {
            var values: [JSONValue] = []
            while !elements.isAtEnd {
                values.append(try elements.decode(JSONValue.self))
            }
            self = .array(values)
            return
        }
        if let members = try? decoder.container(keyedBy: MemberKey.self) {
            var values: [String: JSONValue] = [:]
            for key in members.allKeys {
                values[key.stringValue] = try members.decode(JSONValue.self, forKey: key)
            }
            self = .object(values)
            return
        }
        throw DecodingError.dataCorrupted(.init(
            codingPath: decoder.codingPath,
            debugDescription: "a number that fits neither Int nor Double"))
    }
}
