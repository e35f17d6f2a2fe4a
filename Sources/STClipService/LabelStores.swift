import Logging
import ServiceLifecycle

/// Opens the label store a configuration names: a `postgres://` or `postgresql://` URL, or
/// else an SQLite file path.
enum LabelStores {
    static func open(_ location: String, logger: Logger) async throws(ServiceStartupError) -> (store: any LabelStore, services: [any Service]) {
        let lowered = location.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            let store = try PostgresLabelStore(url: location, logger: logger)
            return (store, [store])
        }
        return (try SQLiteLabelStore(path: location), [])
    }
}
