import Foundation
import STClipLabelSets
import STClipModels

/// The label set a model directory brings as `labelset.json` (the built-in sets' format), as the
/// embedded default model does: served read-only under its own name in the `all` embedding mode,
/// and ranked when a classification request names no set.
enum ModelLabelSet {
    /// The set in `directory`, or nil when the model has none.
    static func load(directory: String) throws(ServiceStartupError) -> LabelSet? {
        let path = URL(fileURLWithPath: directory).appendingPathComponent("labelset.json").path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let set: STClipLabelSets.LabelSet
        do { set = try STClipLabelSets.LabelSet.load(file: path) } catch { throw .builtinLabelSet(String(describing: error)) }
        guard LabelValidation.isValidSetName(set.name) else {
            throw .builtinLabelSet("\(path): '\(set.name)' is not a valid label set name")
        }
        return LabelSet(builtin: set.name, embeddingMode: STClipLabelSets.LabelSet.defaultMode, classes: set.classes)
    }
}
