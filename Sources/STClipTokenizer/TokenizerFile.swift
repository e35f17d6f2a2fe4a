import Foundation

/// Reading tokenizer files, turning every failure into a `TokenizerError`.
enum TokenizerFile {
    /// The whole content of the file at `url`.
    static func data(at url: URL) throws(TokenizerError) -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw .unreadableFile(path: url.path, reason: "no such file")
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(path: url.path, reason: "\(error)")
        }
    }

    /// The file at `url` parsed as a JSON object (a dictionary at the top level).
    static func jsonObject(at url: URL) throws(TokenizerError) -> [String: Any] {
        let content = try data(at: url)
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: content)
        } catch {
            throw .malformedFile(path: url.path, detail: "invalid JSON: \(error)")
        }
        guard let object = parsed as? [String: Any] else {
            throw .malformedFile(path: url.path, detail: "top level is not a JSON object")
        }
        return object
    }
}
