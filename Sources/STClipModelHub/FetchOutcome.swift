/// How a file came to be in the target directory.
public enum FetchOutcome: String, Sendable, Equatable, Codable {
    /// Downloaded whole in this run.
    case downloaded
    /// Completed from bytes already on disk: a `.partial` file left by an earlier run, or a
    /// connection that broke off and was resumed in this one.
    case resumed
    /// Already there under its final name with the right checksum; not downloaded again.
    case present
}
