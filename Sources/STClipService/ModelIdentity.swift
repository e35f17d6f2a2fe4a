import Crypto
import Foundation

/// The id under which a checkpoint's label embeddings are stored: SHA-256 over the names and
/// bytes of every file that shapes its outputs (config, tokenizer, weights, preprocessing), so
/// that any change to the model — retrained weights included — gives a new id and the stored
/// embeddings are recomputed.
enum ModelIdentity {
    /// Files outside this list (READMEs, label sets, caches) do not change the model.
    static func isModelFile(_ name: String) -> Bool {
        name == "config.json" || name == "vocab.json" || name == "merges.txt" || name == "preprocessor_config.json"
            || name == "model.safetensors.index.json" || name.hasSuffix(".safetensors")
    }

    /// `sha256:<hex>` of `directory`'s model files, in name order.
    static func compute(directory: String) throws(ServiceStartupError) -> String {
        let url = URL(fileURLWithPath: directory)
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw .model("\(directory): cannot list the model directory")
        }
        var hasher = SHA256()
        for name in names.filter(isModelFile).sorted() {
            hasher.update(data: Data(name.utf8))
            hasher.update(data: Data([0]))
            let path = url.appendingPathComponent(name).path
            guard let handle = FileHandle(forReadingAtPath: path) else { throw .model("\(path): cannot be read") }
            defer { try? handle.close() }
            do {
                while let chunk = try handle.read(upToCount: 8 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
            } catch {
                throw .model("\(path): read failed")
            }
        }
        return "sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
