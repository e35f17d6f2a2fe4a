import Foundation
import STClipRuntime

/// A Hugging Face checkpoint directory: safetensors weights, single-file or sharded, and its JSON
/// configuration files.
///
/// The weights are `model.safetensors`, or, when that is absent, the shards listed by
/// `model.safetensors.index.json` (as `transformers` also prefers the single file). Every shard is
/// opened and validated up front, and the index must match the shards exactly: each tensor it
/// lists must be in the shard it names, and each tensor in a shard must be listed for that shard.
///
/// The checkpoint records which tensors have been loaded, so that a model loader can finish with
/// `checkAllTensorsUsed()` and refuse a checkpoint holding weights it does not understand rather
/// than silently ignore them.
///
/// Usable from several threads once opened: the files are immutable, and the record of loaded
/// tensors, the only mutable state, is guarded by a lock (hence `@unchecked Sendable`).
public final class Checkpoint: @unchecked Sendable {
    /// The file name of single-file weights.
    public static let weightsFileName = "model.safetensors"
    /// The file name of the shard index of sharded weights.
    public static let indexFileName = "model.safetensors.index.json"

    /// The directory the checkpoint was opened from.
    public let directory: String
    /// The safetensors files holding the weights: one, or the shards in file-name order.
    public let files: [SafetensorsFile]

    private let fileByTensor: [String: SafetensorsFile]
    private let lock = NSLock()
    private var loaded: Set<String> = []

    /// Opens the checkpoint in `directory`, mapping and validating its safetensors files.
    ///
    /// - Throws: `.missingFile` when the directory or its weights are absent; `.badIndex` when the
    ///   shard index is invalid or disagrees with the shards; any error of `SafetensorsFile.init`.
    public init(directory: String) throws(CheckpointError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw .missingFile(path: directory)
        }
        guard isDirectory.boolValue else {
            throw .unreadableFile(path: directory, reason: "not a directory")
        }
        self.directory = directory

        let singlePath = Self.join(directory, Self.weightsFileName)
        let indexPath = Self.join(directory, Self.indexFileName)
        if FileManager.default.fileExists(atPath: singlePath) || !FileManager.default.fileExists(atPath: indexPath) {
            let file = try SafetensorsFile(path: singlePath)
            files = [file]
            var map: [String: SafetensorsFile] = [:]
            for info in file.tensorInfos { map[info.name] = file }
            fileByTensor = map
        } else {
            (files, fileByTensor) = try Self.openShards(indexPath: indexPath, directory: directory)
        }
    }

    private static func openShards(indexPath: String, directory: String) throws(CheckpointError)
        -> ([SafetensorsFile], [String: SafetensorsFile]) {
        let index = try ShardIndex(path: indexPath)
        var shards: [String: SafetensorsFile] = [:]
        for name in index.shardNames {
            shards[name] = try SafetensorsFile(path: join(directory, name))
        }
        var map: [String: SafetensorsFile] = [:]
        for (tensor, shardName) in index.shardByTensor.sorted(by: { $0.key < $1.key }) {
            guard let shard = shards[shardName], shard.contains(tensor) else {
                throw .badIndex(path: indexPath, detail: "tensor '\(tensor)' is mapped to \(shardName), which does not contain it")
            }
            map[tensor] = shard
        }
        for name in index.shardNames {
            guard let shard = shards[name] else { continue }
            for tensor in shard.names where index.shardByTensor[tensor] != name {
                let listed = index.shardByTensor[tensor].map { "maps it to \($0)" } ?? "does not list it"
                throw .badIndex(path: indexPath, detail: "\(name) contains tensor '\(tensor)', but the index \(listed)")
            }
        }
        return (index.shardNames.compactMap { shards[$0] }, map)
    }

    /// Every tensor name, sorted.
    public var names: [String] { fileByTensor.keys.sorted() }

    /// Whether the checkpoint holds a tensor called `name`.
    public func contains(_ name: String) -> Bool { fileByTensor[name] != nil }

    /// The header entry of tensor `name`, or `nil` when there is none.
    public func info(_ name: String) -> SafetensorsTensorInfo? { fileByTensor[name]?.info(name) }

    /// The shape of tensor `name`. Does not count as loading it.
    public func shape(of name: String) throws(CheckpointError) -> [Int] {
        try file(holding: name).shape(of: name)
    }

    /// Tensor `name` as float32 (see `SafetensorsFile.tensor(_:)`), recorded as loaded.
    public func tensor(_ name: String) throws(CheckpointError) -> Tensor {
        let tensor = try file(holding: name).tensor(name)
        markLoaded(name)
        return tensor
    }

    /// Tensor `name` as float32, which must have exactly `shape`; recorded as loaded.
    ///
    /// - Throws: `.shapeMismatch` naming both shapes, before any data is read or converted.
    public func tensor(_ name: String, shape: [Int]) throws(CheckpointError) -> Tensor {
        let file = try file(holding: name)
        let actual = try file.shape(of: name)
        guard actual == shape else {
            throw .shapeMismatch(path: file.path, tensor: name, expected: shape, actual: actual)
        }
        let tensor = try file.tensor(name)
        markLoaded(name)
        return tensor
    }

    /// The elements of I64 tensor `name` (such as `position_ids`), recorded as loaded.
    public func int64Values(_ name: String) throws(CheckpointError) -> [Int64] {
        let values = try file(holding: name).int64Values(name)
        markLoaded(name)
        return values
    }

    /// Records tensor `name` as used without loading it, for a tensor the model knowingly does
    /// without (a buffer it recomputes, say). Throws `.missingTensor` for a name not in the
    /// checkpoint, so a misspelt name cannot hide a leftover.
    public func markUsed(_ name: String) throws(CheckpointError) {
        _ = try file(holding: name)
        markLoaded(name)
    }

    /// The tensors not yet loaded or marked used, sorted.
    public func unusedTensorNames() -> [String] {
        let loaded = lock.withLock { self.loaded }
        return fileByTensor.keys.filter { !loaded.contains($0) }.sorted()
    }

    /// Throws `.unusedTensors` listing every tensor not yet loaded or marked used.
    public func checkAllTensorsUsed() throws(CheckpointError) {
        let unused = unusedTensorNames()
        guard unused.isEmpty else { throw .unusedTensors(path: directory, tensors: unused) }
    }

    /// Whether the directory holds a file called `fileName`.
    public func containsFile(_ fileName: String) -> Bool {
        FileManager.default.fileExists(atPath: Self.join(directory, fileName))
    }

    /// The JSON object in file `fileName` of the directory, such as `preprocessor_config.json`.
    public func json(_ fileName: String) throws(CheckpointError) -> JSONObject {
        try JSONObject(contentsOf: Self.join(directory, fileName))
    }

    /// The model configuration, `config.json`.
    public func config() throws(CheckpointError) -> JSONObject {
        try json("config.json")
    }

    private func file(holding name: String) throws(CheckpointError) -> SafetensorsFile {
        guard let file = fileByTensor[name] else { throw .missingTensor(path: directory, tensor: name) }
        return file
    }

    private func markLoaded(_ name: String) {
        _ = lock.withLock { loaded.insert(name) }
    }

    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
