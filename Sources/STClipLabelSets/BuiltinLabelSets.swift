import Foundation

/// The label sets shipped with stclip, read from the module's resource bundle (`Data/<name>.json`,
/// built by `Scripts/labelsets/build.py`) and kept after the first read.
public enum BuiltinLabelSets {
    /// The built-in label sets, by name.
    public static let names = ["kinetics400", "minikinetics200", "ucf101", "hmdb51"]

    private static let store = Store()

    /// The built-in label set called `name`. Case, `-` and `_` are ignored, so `Mini-Kinetics-200`
    /// finds `minikinetics200`.
    public static func load(_ name: String) throws(LabelSetError) -> LabelSet {
        let key = name.lowercased().filter { $0 != "-" && $0 != "_" }
        guard names.contains(key) else { throw .unknownLabelSet(name: name, available: names) }
        return try store.get(key)
    }

    /// Every built-in label set, in `names` order.
    public static func all() throws(LabelSetError) -> [LabelSet] {
        var sets: [LabelSet] = []
        for name in names { sets.append(try load(name)) }
        return sets
    }

    /// Decoded sets, guarded by a lock so that concurrent first uses read the file once each.
    private final class Store: @unchecked Sendable {
        private let lock = NSLock()
        private var sets: [String: LabelSet] = [:]

        func get(_ name: String) throws(LabelSetError) -> LabelSet {
            lock.lock()
            defer { lock.unlock() }
            if let set = sets[name] { return set }
            let set = try read(name)
            sets[name] = set
            return set
        }

        private func read(_ name: String) throws(LabelSetError) -> LabelSet {
            guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Data") else {
                throw .unreadable(name: name, detail: "Data/\(name).json is not in the \(Bundle.module.bundlePath) bundle")
            }
            let data: Data
            do { data = try Data(contentsOf: url) } catch { throw .unreadable(name: name, detail: "\(url.path): \(error.localizedDescription)") }
            let set = try LabelSet.decode(data, path: url.path)
            guard set.name == name else { throw .invalid(name: name, detail: "the file names itself \"\(set.name)\"") }
            return set
        }
    }
}
