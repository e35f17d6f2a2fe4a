/// Errors raised while reading a checkpoint directory (safetensors files and JSON configs) or
/// writing a safetensors file.
///
/// Every case names the file it concerns, and the tensor or JSON key where there is one, so that
/// the one-line `description` is enough to find the problem.
public enum CheckpointError: Error, Equatable, Sendable {
    /// A required file is absent from the checkpoint directory.
    case missingFile(path: String)
    /// A file could not be opened, measured or mapped; `reason` is the system's message.
    case unreadableFile(path: String, reason: String)
    /// A file could not be created, written or renamed into place; `reason` is the system's message.
    case unwritableFile(path: String, reason: String)
    /// The file ends before its 8-byte header length or before the header that length announces.
    case truncated(path: String, detail: String)
    /// The safetensors header as a whole is invalid: over the 100 MB limit, not UTF-8, not a JSON
    /// object, or a `__metadata__` entry that is not a string-to-string map.
    case badHeader(path: String, detail: String)
    /// One tensor's header entry is invalid: a missing or wrongly typed field, an unknown dtype, a
    /// negative dimension, `data_offsets` not two ascending byte offsets, an element count that
    /// overflows, or a byte length that does not match its shape and dtype.
    case badTensorEntry(path: String, tensor: String, detail: String)
    /// A tensor's data lies (partly) past the end of the data buffer; usually a truncated file.
    case offsetsOutOfRange(path: String, tensor: String, detail: String)
    /// The tensors do not tile the data buffer exactly: two overlap, bytes between them belong to
    /// none, or bytes follow the last one. The safetensors format forbids all three.
    case badLayout(path: String, detail: String)
    /// The tensor's dtype is one this reader cannot convert to float32 (only F32, F16 and BF16 are).
    case unsupportedDType(path: String, tensor: String, dtype: String)
    /// The tensor exists but was requested as another kind: an I64 tensor as floats, or a float
    /// tensor as `Int64` values. `expected` says what the request accepts.
    case dtypeMismatch(path: String, tensor: String, expected: String, actual: String)
    /// No tensor of that name exists in the file or checkpoint directory at `path`.
    case missingTensor(path: String, tensor: String)
    /// The tensor's shape differs from the one the caller requires.
    case shapeMismatch(path: String, tensor: String, expected: [Int], actual: [Int])
    /// `model.safetensors.index.json` is invalid or disagrees with the shards it names.
    case badIndex(path: String, detail: String)
    /// A JSON file lacks a required key; `key` is the dotted path from the top-level object.
    case missingKey(path: String, key: String)
    /// A JSON file is not a JSON object, or the value at `key` (a dotted path, empty for the file
    /// as a whole) has the wrong type.
    case badConfig(path: String, key: String, detail: String)
    /// After loading, the checkpoint still holds tensors that nothing requested; a loader that
    /// ignored them would silently drop weights.
    case unusedTensors(path: String, tensors: [String])
    /// A tensor handed to `SafetensorsWriter` cannot be written: its name is taken or reserved, or
    /// its values do not match its shape.
    case badWriterInput(tensor: String, detail: String)
}
