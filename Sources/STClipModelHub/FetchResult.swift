/// What `ModelFetcher.fetch` produced: a verified model directory that loads.
public struct FetchResult: Sendable, Equatable {
    /// The repository and revision asked for.
    public let reference: HubReference
    /// The commit the revision pointed at; every file was fetched from it.
    public let commit: String
    /// The target directory.
    public let directory: String
    /// `model_type` from `config.json`.
    public let modelType: String
    /// The files, in the order they were fetched.
    public let files: [FetchedFile]

    /// Bytes transferred in this run (files already present, and resumed bytes already on disk,
    /// are not counted).
    public let downloadedBytes: Int
}
