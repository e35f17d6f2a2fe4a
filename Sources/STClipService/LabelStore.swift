import STClipModels

/// Persistent label sets and the class embeddings computed for them.
///
/// Every change is one transaction, durable when the call returns (the service answers 2xx only
/// after that). Class embeddings are keyed by model id and a key naming the texts they average
/// (`InferenceEngine.embeddingKey`), so labels keep their embeddings across edits, sets share
/// them, and a new model computes its own. Language models' descriptions of class texts are
/// cached beside them, so that a class text is asked of a model once.
public protocol LabelStore: Sendable {
    /// Throws `LabelStoreError.unavailable` when the store cannot be reached.
    func ping() async throws
    func listLabelSets() async throws -> [LabelSetSummary]
    /// `nil` when there is no such set.
    func labelSet(named name: String) async throws -> LabelSet?
    /// Creates the set or replaces its labels (version + 1), storing `embeddings` in the same
    /// transaction. Returns the stored set and whether it was created.
    func putLabelSet(named name: String, labels: [LabelEntry], mode: ClassEmbeddingMode, embeddings: EmbeddingBatch,
                     precondition: VersionPrecondition) async throws -> (set: LabelSet, created: Bool)
    func deleteLabelSet(named name: String, precondition: VersionPrecondition) async throws
    /// Adds `entry` at the end of the set, or replaces the label of the same text in place.
    func putLabel(_ entry: LabelEntry, inSet name: String, embeddings: EmbeddingBatch,
                  precondition: VersionPrecondition) async throws -> (set: LabelSet, created: Bool)
    func deleteLabel(_ label: String, fromSet name: String, precondition: VersionPrecondition) async throws -> LabelSet
    /// The stored embeddings under `keys` made by `modelID` (keys without one are absent).
    func embeddings(modelID: String, keys: [String]) async throws -> [String: [Float]]
    /// Stores embeddings, keeping any already stored for the same model and key.
    func storeEmbeddings(_ batch: EmbeddingBatch) async throws
    /// Descriptions a language model gave of class texts (runtime expansion), cached by the
    /// model's name and the class text: those stored for `llmModel` among `classTexts`.
    func cachedDescriptions(llmModel: String, classTexts: [String]) async throws -> [String: [String]]
    /// Caches `descriptions` as `llmModel`'s answer about `classText`, keeping an answer already
    /// stored for the same model and text.
    func storeDescriptions(_ descriptions: [String], llmModel: String, classText: String) async throws
}
