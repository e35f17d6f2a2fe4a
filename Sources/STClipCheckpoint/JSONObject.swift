import Foundation

/// A JSON object read from a file such as `config.json`, with typed accessors.
///
/// A missing key throws `CheckpointError.missingKey` and a value of the wrong type throws
/// `.badConfig`, both naming the file and the dotted key path from the top of the file
/// (`config.json: vision_config.hidden_size`). The `optional…` accessors return `nil` for a key
/// that is absent or `null` (Hugging Face configs write `null` for unset options), and the
/// `default:` accessors return the default in those cases; a present value of the wrong type
/// still throws. `int` accepts numbers with an integral value; `double` accepts any number.
public struct JSONObject: Sendable {
    /// The file this object was read from.
    public let path: String
    /// The dotted key path of this object from the top of the file; empty for the top level.
    public let keyPath: String
    /// The members.
    public let values: [String: JSONValue]

    /// Reads and parses the JSON file at `path`, whose top level must be an object.
    public init(contentsOf path: String) throws(CheckpointError) {
        guard FileManager.default.fileExists(atPath: path) else { throw .missingFile(path: path) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableFile(path: path, reason: error.localizedDescription)
        }
        try self.init(data: data, path: path)
    }

    /// Parses `data`, a JSON document whose top level must be an object; `path` names it in errors.
    public init(data: Data, path: String) throws(CheckpointError) {
        let root: JSONValue
        do {
            root = try JSONValue.parse(data)
        } catch {
            throw .badConfig(path: path, key: "", detail: "not valid JSON")
        }
        guard case .object(let members) = root else {
            throw .badConfig(path: path, key: "", detail: "top level is \(root.kindDescription), not an object")
        }
        self.init(values: members, path: path, keyPath: "")
    }

    init(values: [String: JSONValue], path: String, keyPath: String) {
        self.values = values
        self.path = path
        self.keyPath = keyPath
    }

    /// The member names, sorted.
    public var keys: [String] { values.keys.sorted() }

    /// Whether `key` is present, even with a `null` value.
    public func contains(_ key: String) -> Bool { values[key] != nil }

    /// The raw value of `key`, for values whose type varies (e.g. a size given as an integer or
    /// as an object).
    public subscript(key: String) -> JSONValue? { values[key] }

    /// The dotted path of `key` within the file, as errors report it.
    public func keyPath(of key: String) -> String {
        keyPath.isEmpty ? key : keyPath + "." + key
    }

    /// The integer at `key`; throws when it is absent, null or not an integer.
    public func int(_ key: String) throws(CheckpointError) -> Int {
        try required(key, optionalInt(key))
    }

    /// The integer at `key`, or `fallback` when it is absent or null.
    public func int(_ key: String, default fallback: Int) throws(CheckpointError) -> Int {
        try optionalInt(key) ?? fallback
    }

    /// The integer at `key`, or `nil` when it is absent or null.
    public func optionalInt(_ key: String) throws(CheckpointError) -> Int? {
        try typed(key, "an integer") { $0.intValue }
    }

    /// The number at `key`; throws when it is absent, null or not a number.
    public func double(_ key: String) throws(CheckpointError) -> Double {
        try required(key, optionalDouble(key))
    }

    /// The number at `key`, or `fallback` when it is absent or null.
    public func double(_ key: String, default fallback: Double) throws(CheckpointError) -> Double {
        try optionalDouble(key) ?? fallback
    }

    /// The number at `key`, or `nil` when it is absent or null.
    public func optionalDouble(_ key: String) throws(CheckpointError) -> Double? {
        try typed(key, "a number") { $0.doubleValue }
    }

    /// The string at `key`; throws when it is absent, null or not a string.
    public func string(_ key: String) throws(CheckpointError) -> String {
        try required(key, optionalString(key))
    }

    /// The string at `key`, or `fallback` when it is absent or null.
    public func string(_ key: String, default fallback: String) throws(CheckpointError) -> String {
        try optionalString(key) ?? fallback
    }

    /// The string at `key`, or `nil` when it is absent or null.
    public func optionalString(_ key: String) throws(CheckpointError) -> String? {
        try typed(key, "a string") { $0.stringValue }
    }

    /// The boolean at `key`; throws when it is absent, null or not `true`/`false`.
    public func bool(_ key: String) throws(CheckpointError) -> Bool {
        try required(key, optionalBool(key))
    }

    /// The boolean at `key`, or `fallback` when it is absent or null.
    public func bool(_ key: String, default fallback: Bool) throws(CheckpointError) -> Bool {
        try optionalBool(key) ?? fallback
    }

    /// The boolean at `key`, or `nil` when it is absent or null.
    public func optionalBool(_ key: String) throws(CheckpointError) -> Bool? {
        try typed(key, "a boolean") { $0.boolValue }
    }

    /// The nested object at `key`; its errors report paths below `key`.
    public func object(_ key: String) throws(CheckpointError) -> JSONObject {
        try required(key, optionalObject(key))
    }

    /// The nested object at `key`, or `nil` when it is absent or null.
    public func optionalObject(_ key: String) throws(CheckpointError) -> JSONObject? {
        try typed(key, "an object") { value in
            value.objectValue.map { JSONObject(values: $0, path: path, keyPath: keyPath(of: key)) }
        }
    }

    /// The array at `key`; its errors report element paths such as `image_mean[2]`.
    public func array(_ key: String) throws(CheckpointError) -> JSONArray {
        try required(key, optionalArray(key))
    }

    /// The array at `key`, or `nil` when it is absent or null.
    public func optionalArray(_ key: String) throws(CheckpointError) -> JSONArray? {
        try typed(key, "an array") { value in
            value.arrayValue.map { JSONArray(elements: $0, path: path, keyPath: keyPath(of: key)) }
        }
    }

    /// `nil` when `key` is absent or null, the extracted value when `extract` accepts it, and a
    /// `.badConfig` error naming `expected` otherwise.
    private func typed<T>(_ key: String, _ expected: String,
                          _ extract: (JSONValue) -> T?) throws(CheckpointError) -> T? {
        guard let value = values[key], value != .null else { return nil }
        guard let result = extract(value) else {
            throw .badConfig(path: path, key: keyPath(of: key),
                             detail: "expected \(expected), found \(value.kindDescription)")
        }
        return result
    }

    private func required<T>(_ key: String, _ value: T?) throws(CheckpointError) -> T {
        if let value { return value }
        if values[key] == .null {
            throw .badConfig(path: path, key: keyPath(of: key), detail: "is null")
        }
        throw .missingKey(path: path, key: keyPath(of: key))
    }
}
