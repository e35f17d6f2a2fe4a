/// Where a fetch stands, reported as bytes arrive.
public struct FetchProgress: Sendable, Equatable {
    /// The file being fetched.
    public let file: String
    /// Its bytes on disk so far.
    public let fileBytes: Int
    /// Its size.
    public let fileSize: Int
    /// Bytes on disk of every file planned so far, finished ones included.
    public let completedBytes: Int
    /// The size of every file planned so far (the shards join the plan once their index is read).
    public let totalBytes: Int

    public init(file: String, fileBytes: Int, fileSize: Int, completedBytes: Int, totalBytes: Int) {
        self.file = file
        self.fileBytes = fileBytes
        self.fileSize = fileSize
        self.completedBytes = completedBytes
        self.totalBytes = totalBytes
    }
}
