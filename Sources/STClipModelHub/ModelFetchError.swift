/// Errors raised while fetching a checkpoint from a Hugging Face style hub.
///
/// Every case names what it concerns (the URL, the repository file or the local path), so that
/// the one-line `description` is enough to act on.
public enum ModelFetchError: Error, Equatable, Sendable {
    /// The model reference is neither `ORG/NAME` nor a hub URL; `reason` says what is wrong.
    case invalidReference(String, reason: String)
    /// `HF_ENDPOINT` (or the endpoint given) is not an absolute `http` or `https` URL.
    case invalidEndpoint(String)
    /// The request to `url` failed below HTTP — refused or dropped connection, DNS failure, read
    /// timeout — after every allowed attempt; `reason` is the transport's message.
    case network(url: String, reason: String)
    /// `url` answered with an HTTP status other than the one the protocol expects; `hint` says
    /// what the status usually means (an unknown repository or revision, a gated model needing
    /// `HF_TOKEN`) when there is such a reading.
    case httpStatus(url: String, status: Int, hint: String?)
    /// The hub's answer to `url` (a revision or file listing) is not what the hub API returns.
    case badListing(url: String, reason: String)
    /// The repository has no `file` at `revision`, and the checkpoint cannot be used without it.
    case missingFile(repository: String, revision: String, file: String)
    /// The repository's weights are not in safetensors form: `pickleFiles` lists the pickle
    /// (`.bin`, `.pt`, `.pth`, `.ckpt`) weight files found, if any. Pickles are never loaded.
    case noSafetensors(repository: String, revision: String, pickleFiles: [String])
    /// `config.json` names a `model_type` stclip does not run.
    case unsupportedModelType(repository: String, modelType: String)
    /// The downloaded bytes of `file` do not hash to the listing's checksum; `algorithm` is
    /// `sha256` (LFS files) or `git-sha1` (the git blob hash of small files). The file is removed.
    case checksumMismatch(file: String, algorithm: String, expected: String, actual: String)
    /// The server sent more bytes for `file` than the listing's size. The file is removed.
    case sizeMismatch(file: String, expected: Int, received: Int)
    /// A local file or directory could not be created, read, written, synced or renamed; `reason`
    /// is the system's message.
    case disk(path: String, reason: String)
    /// A file already in the target directory would make the fetched checkpoint load wrongly
    /// (a `model.safetensors` beside a fetched sharded checkpoint would be loaded instead of it).
    case conflictingFile(path: String, reason: String)
    /// Every file arrived and verified, but the directory does not load as a model; `reason` is
    /// the loader's error.
    case unusableCheckpoint(directory: String, reason: String)
}
