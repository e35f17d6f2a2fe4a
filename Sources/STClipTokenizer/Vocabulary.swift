import Foundation

/// The token ↔ id table of `vocab.json`.
struct Vocabulary: Sendable {
    /// Id of each token text.
    let ids: [String: Int]
    /// Token text of each id.
    let tokens: [Int: String]

    /// Loads `vocab.json`: a JSON object from token text to a non-negative integer id, with
    /// every id used once.
    init(contentsOf url: URL) throws(TokenizerError) {
        let content = try TokenizerFile.data(at: url)
        // JSONDecoder is strict where it matters here: ids must be JSON integers (not
        // booleans, fractions or strings) and the top level must be an object.
        let decoded: [String: Int]
        do {
            decoded = try JSONDecoder().decode([String: Int].self, from: content)
        } catch {
            throw .malformedFile(path: url.path, detail: "expected a JSON object from token to integer id: \(error)")
        }
        var tokens: [Int: String] = [:]
        tokens.reserveCapacity(decoded.count)
        for (token, id) in decoded {
            guard id >= 0 else {
                throw .malformedFile(path: url.path, detail: "token \(token.debugDescription) has negative id \(id)")
            }
            if let other = tokens[id] {
                throw .malformedFile(path: url.path, detail: "id \(id) is used by both \(other.debugDescription) and \(token.debugDescription)")
            }
            tokens[id] = token
        }
        guard !decoded.isEmpty else {
            throw .malformedFile(path: url.path, detail: "empty vocabulary")
        }
        ids = decoded
        self.tokens = tokens
    }

    var count: Int { ids.count }
}
