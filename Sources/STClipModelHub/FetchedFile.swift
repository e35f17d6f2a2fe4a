/// One file a fetch put (or found) in the target directory, verified.
public struct FetchedFile: Sendable, Equatable {
    /// The file name.
    public let path: String
    /// Its size in bytes.
    public let size: Int
    /// The checksum it was verified against.
    public let checksum: HubChecksum
    /// Whether it was downloaded, resumed or already present.
    public let outcome: FetchOutcome
}
