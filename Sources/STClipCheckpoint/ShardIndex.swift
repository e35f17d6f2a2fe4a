/// The parsed `model.safetensors.index.json` of a sharded checkpoint.
///
/// Format, as `transformers`' `save_pretrained` writes it:
/// `{"metadata": {"total_size": …}, "weight_map": {tensor name: shard file name}}`.
/// Shard names must be plain file names in the checkpoint directory; a name with a path separator
/// (such as `../x`) is refused so an index cannot point outside the directory.
struct ShardIndex {
    /// Each tensor's shard file name.
    let shardByTensor: [String: String]
    /// The distinct shard file names, sorted.
    let shardNames: [String]

    init(path: String) throws(CheckpointError) {
        let root: JSONObject
        let map: JSONObject
        do {
            root = try JSONObject(contentsOf: path)
            map = try root.object("weight_map")
        } catch {
            if case .missingFile = error { throw error }
            if case .unreadableFile = error { throw error }
            throw .badIndex(path: path, detail: error.description)
        }
        var shardByTensor: [String: String] = [:]
        for tensor in map.keys {
            let shard: String
            do {
                shard = try map.string(tensor)
            } catch {
                throw .badIndex(path: path, detail: error.description)
            }
            guard !shard.isEmpty, shard != ".", shard != "..", !shard.contains("/"),
                  !shard.contains("\\"), !shard.contains("\0") else {
                throw .badIndex(path: path, detail: "tensor '\(tensor)' is mapped to '\(shard)', which is not a file name in the checkpoint directory")
            }
            shardByTensor[tensor] = shard
        }
        guard !shardByTensor.isEmpty else {
            throw .badIndex(path: path, detail: "weight_map is empty")
        }
        self.shardByTensor = shardByTensor
        self.shardNames = Set(shardByTensor.values).sorted()
    }
}
