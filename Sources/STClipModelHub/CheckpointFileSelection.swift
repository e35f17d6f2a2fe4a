import Foundation

/// Which files of a repository make a stclip model directory, chosen from the hub's listing.
///
/// The configuration and tokenizer files, and the weights in safetensors form only: the single
/// `model.safetensors` where the repository has it (as `transformers` prefers it), else the shard
/// index `model.safetensors.index.json` and, once it is read, the shards it names. A repository
/// whose weights are only pickles (`pytorch_model.bin` and the like) is refused: stclip never
/// unpickles.
public struct CheckpointFileSelection: Sendable, Equatable {
    /// Files the directory cannot load without.
    public static let requiredFiles = ["config.json", "vocab.json", "merges.txt"]
    /// Files fetched when the repository has them: preprocessing (CLIP's defaults otherwise) and
    /// tokenizer settings (CLIP's defaults otherwise; `tokenizer.json` for other tools).
    public static let optionalFiles = ["preprocessor_config.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json"]
    /// Endings of the pickle weight files a repository may hold instead of safetensors.
    static let pickleSuffixes = [".bin", ".pt", ".pth", ".ckpt", ".pkl"]

    /// `config.json` first (its `model_type` is checked before anything large is fetched), then the
    /// other configuration and tokenizer files in the order of `requiredFiles` and `optionalFiles`.
    public let supportFiles: [HubFile]
    /// `model.safetensors`, or `model.safetensors.index.json` whose shards are still to be chosen.
    public let weights: HubFile
    /// Whether `weights` is a shard index.
    public var isSharded: Bool { weights.path == Self.indexFileName }

    static let weightsFileName = "model.safetensors"
    static let indexFileName = "model.safetensors.index.json"

    /// Chooses from `listing`, the root files of `repository` at `revision`.
    ///
    /// - Throws: `.missingFile` for a required file the listing lacks; `.noSafetensors` (listing
    ///   the pickle weights found) when there is neither weights file.
    public init(listing: [HubFile], repository: String, revision: String) throws(ModelFetchError) {
        let byPath = Dictionary(listing.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        var support: [HubFile] = []
        for name in Self.requiredFiles {
            guard let file = byPath[name] else { throw .missingFile(repository: repository, revision: revision, file: name) }
            support.append(file)
        }
        support += Self.optionalFiles.compactMap { byPath[$0] }
        guard let weights = byPath[Self.weightsFileName] ?? byPath[Self.indexFileName] else {
            let pickles = listing.map(\.path).filter { name in Self.pickleSuffixes.contains { name.hasSuffix($0) } }.sorted()
            throw .noSafetensors(repository: repository, revision: revision, pickleFiles: pickles)
        }
        supportFiles = support
        self.weights = weights
    }

    /// The shards named by the downloaded shard index `indexData`, each as `listing` gives it,
    /// in file-name order.
    ///
    /// - Throws: `.badListing` naming `indexURL` when the index is not `{"weight_map": {tensor:
    ///   file}}` or names a file that is not a plain `.safetensors` file name; `.missingFile` for a
    ///   shard the listing lacks.
    public static func shards(indexData: Data, indexURL: String, listing: [HubFile], repository: String,
                              revision: String) throws(ModelFetchError) -> [HubFile] {
        guard let root = (try? JSONSerialization.jsonObject(with: indexData)) as? [String: Any],
              let map = root["weight_map"] as? [String: Any], !map.isEmpty else {
            throw .badListing(url: indexURL, reason: "\(indexFileName) has no weight_map")
        }
        var names = Set<String>()
        for (tensor, value) in map {
            guard let name = value as? String, HubFile.isRootFileName(name), name.hasSuffix(".safetensors") else {
                throw .badListing(url: indexURL, reason: "tensor '\(tensor)' is mapped to something other than a .safetensors file name")
            }
            names.insert(name)
        }
        let byPath = Dictionary(listing.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        var shards: [HubFile] = []
        for name in names.sorted() {
            guard let file = byPath[name] else { throw .missingFile(repository: repository, revision: revision, file: name) }
            shards.append(file)
        }
        return shards
    }
}
