/// A label store that several replicas share (PostgreSQL), which keeps them from asking a
/// language model the same question at the same time: one asks, the others then find its answer
/// in the cache.
public protocol SharedDescriptionStore: LabelStore {
    /// Runs `body` holding the lock on asking `llmModel` about `classText`, which every replica
    /// sharing the store respects. Returns nil at once, without running `body`, when another
    /// holds it.
    func ifNoneAsking<T: Sendable>(llmModel: String, classText: String,
                                   _ body: @escaping @Sendable () async throws -> T) async throws -> T?
}
