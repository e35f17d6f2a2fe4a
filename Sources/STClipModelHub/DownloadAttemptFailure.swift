/// Why one request for a file's bytes failed, and whether another request may do better.
enum DownloadAttemptFailure: Error {
    /// A broken or timed-out connection, a short body, or a 5xx/408/429 answer: worth another
    /// try, resuming from the bytes on disk.
    case transient(ModelFetchError)
    /// An answer no retry will change (404, a size or checksum mismatch, a disk error).
    case fatal(ModelFetchError)
}
