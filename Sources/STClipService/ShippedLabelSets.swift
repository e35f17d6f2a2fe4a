import STClipLabelSets
import STClipModels

/// The label sets stclip ships (Kinetics-400, Mini-Kinetics-200, UCF101, HMDB51 from
/// `STClipLabelSets`), served read-only with their class texts and descriptions in their
/// default embedding mode (`all`: the prompt templates and the descriptions together).
enum ShippedLabelSets {
    static func load() throws(ServiceStartupError) -> [String: LabelSet] {
        let sets: [STClipLabelSets.LabelSet]
        do { sets = try BuiltinLabelSets.all() } catch { throw .builtinLabelSet(String(describing: error)) }
        var out: [String: LabelSet] = [:]
        for set in sets {
            out[set.name] = LabelSet(builtin: set.name, embeddingMode: STClipLabelSets.LabelSet.defaultMode, classes: set.classes)
        }
        return out
    }
}
