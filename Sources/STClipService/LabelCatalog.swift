/// The label sets clients see: the model's built-in sets (read-only) over the store's.
public final class LabelCatalog: Sendable {
    public let store: any LabelStore
    public let builtins: [String: LabelSet]
    /// The set classification ranks when a request names none: the model's own (`labelset.json`).
    public let defaultName: String?

    public init(store: any LabelStore, builtins: [String: LabelSet] = [:], defaultName: String? = nil) {
        self.store = store
        self.builtins = builtins
        self.defaultName = defaultName
    }

    /// Every set by name; a stored set hidden by a built-in of the same name is not listed.
    public func list() async throws -> [LabelSetSummary] {
        let stored = try await store.listLabelSets().filter { builtins[$0.name] == nil }
        let builtin = builtins.values.map { LabelSetSummary(name: $0.name, version: $0.version, builtin: true, labelCount: $0.labels.count) }
        return (stored + builtin).sorted { $0.name < $1.name }
    }

    /// The set named `name`; 404 when there is none.
    public func get(_ name: String) async throws -> LabelSet {
        if let builtin = builtins[name] { return builtin }
        guard let set = try await store.labelSet(named: name) else { throw LabelStoreError.labelSetNotFound(name) }
        return set
    }

    /// 409 when `name` is a built-in set, which the API cannot change.
    public func checkWritable(_ name: String) throws(ServiceError) {
        if builtins[name] != nil { throw ServiceError(.labelSetReadOnly, "label set '\(name)' is built in and cannot be changed") }
    }
}
