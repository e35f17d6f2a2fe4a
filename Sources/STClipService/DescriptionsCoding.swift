import Foundation

/// A label's descriptions as stored: a JSON array of strings in a text column.
enum DescriptionsCoding {
    static func encode(_ descriptions: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(descriptions), as: UTF8.self)
    }

    static func decode(_ text: String, set: String) throws -> [String] {
        do { return try JSONDecoder().decode([String].self, from: Data(text.utf8)) } catch {
            throw LabelStoreError.corrupt("descriptions in label set '\(set)' are not a JSON list of strings")
        }
    }
}
