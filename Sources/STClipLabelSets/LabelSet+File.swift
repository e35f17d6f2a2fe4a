import Foundation

extension LabelSet {
    /// A label set file in the built-in sets' format (a model's own `labelset.json`, say).
    public static func load(file path: String) throws(LabelSetError) -> LabelSet {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(name: path, detail: error.localizedDescription)
        }
        return try decode(data, path: path)
    }

    /// Decodes and checks a label set document: at least one class, no repeated class names.
    static func decode(_ data: Data, path: String) throws(LabelSetError) -> LabelSet {
        let set: LabelSet
        do { set = try JSONDecoder().decode(LabelSet.self, from: data) } catch {
            throw .invalid(name: path, detail: "\(error)")
        }
        guard !set.classes.isEmpty else { throw .invalid(name: set.name, detail: "\(path): no classes") }
        guard Set(set.classNames).count == set.classes.count else { throw .invalid(name: set.name, detail: "\(path): repeated class names") }
        return set
    }
}
