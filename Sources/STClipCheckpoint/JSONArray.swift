/// A JSON array from a file read by `JSONObject`, with typed whole-array accessors.
///
/// An element of the wrong type throws `CheckpointError.badConfig` naming its path, such as
/// `preprocessor_config.json: image_mean[2]`.
public struct JSONArray: Sendable {
    /// The file this array was read from.
    public let path: String
    /// The dotted key path of this array from the top of the file.
    public let keyPath: String
    /// The elements.
    public let elements: [JSONValue]

    init(elements: [JSONValue], path: String, keyPath: String) {
        self.elements = elements
        self.path = path
        self.keyPath = keyPath
    }

    /// The number of elements.
    public var count: Int { elements.count }

    /// Every element as an integer.
    public func ints() throws(CheckpointError) -> [Int] {
        try all("an integer") { $0.intValue }
    }

    /// Every element as a number.
    public func doubles() throws(CheckpointError) -> [Double] {
        try all("a number") { $0.doubleValue }
    }

    /// Every element as a string.
    public func strings() throws(CheckpointError) -> [String] {
        try all("a string") { $0.stringValue }
    }

    /// Every element as a boolean.
    public func bools() throws(CheckpointError) -> [Bool] {
        try all("a boolean") { $0.boolValue }
    }

    /// Every element as an object.
    public func objects() throws(CheckpointError) -> [JSONObject] {
        var result: [JSONObject] = []
        for (index, element) in elements.enumerated() {
            guard let members = element.objectValue else { throw mismatch(index, "an object") }
            result.append(JSONObject(values: members, path: path, keyPath: "\(keyPath)[\(index)]"))
        }
        return result
    }

    private func all<T>(_ expected: String, _ extract: (JSONValue) -> T?) throws(CheckpointError) -> [T] {
        var result: [T] = []
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard let value = extract(element) else { throw mismatch(index, expected) }
            result.append(value)
        }
        return result
    }

    private func mismatch(_ index: Int, _ expected: String) -> CheckpointError {
        .badConfig(path: path, key: "\(keyPath)[\(index)]",
                   detail: "expected \(expected), found \(elements[index].kindDescription)")
    }
}
