import Foundation

/// A label's descriptions, or a language model's cached answer, as stored: a JSON array of
/// strings in a text column.
enum DescriptionsCoding {
    static func encode(_ descriptions: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(descriptions), as: UTF8.self)
    }

    /// `owner` names where the text was found, for the error: "label set 'actions'".
    static func decode(_ text: String, of owner: String) throws -> [String] {
        do { return try JSONDecoder().decode([String].self, from: Data(text.utf8)) } catch {
            throw LabelStoreError.corrupt("descriptions of \(owner) are not a JSON list of strings")
        }
    }
}
