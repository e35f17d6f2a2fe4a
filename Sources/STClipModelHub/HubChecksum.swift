/// The checksum a hub listing gives for a file, and how to compute it, as `huggingface_hub`
/// verifies a download: the SHA-256 of the content for LFS files, git's blob id for the rest.
public enum HubChecksum: Sendable, Equatable {
    /// An LFS file's `lfs.oid`: the SHA-256 of its content, 64 lower-case hex digits.
    case sha256(String)
    /// A small file's `oid`: git's blob id, the SHA-1 of `"blob <size>\0" + content`, 40 hex digits.
    case gitBlobSHA1(String)

    /// `sha256` or `git-sha1`, as error messages and `stclip model fetch`'s output name it.
    public var algorithm: String {
        switch self {
        case .sha256: return "sha256"
        case .gitBlobSHA1: return "git-sha1"
        }
    }

    /// The expected digest in lower-case hex.
    public var hex: String {
        switch self {
        case let .sha256(hex), let .gitBlobSHA1(hex): return hex
        }
    }
}
