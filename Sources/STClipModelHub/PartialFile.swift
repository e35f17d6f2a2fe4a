import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A download in progress: `NAME.partial` beside the file's final path, appended to as bytes
/// arrive, then synced and renamed over the final path in one step, so that a file under its
/// final name is always complete and verified.
final class PartialFile {
    /// The final path; the partial file is this plus `suffix`.
    let finalPath: String
    /// Where the bytes go until they are verified.
    let path: String
    /// The bytes on disk.
    private(set) var size: Int
    private var descriptor: Int32

    /// The suffix of a download in progress; a later fetch resumes from such a file.
    static let suffix = ".partial"

    /// Opens (creating if needed) the partial file of `finalPath`, keeping what it holds.
    init(finalPath: String) throws(ModelFetchError) {
        self.finalPath = finalPath
        path = finalPath + Self.suffix
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.error(path, "cannot open for writing") }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let failure = Self.error(path, "cannot measure")
            close(descriptor)
            throw failure
        }
        size = Int(status.st_size)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Appends `bytes`.
    func append(_ bytes: UnsafeRawBufferPointer) throws(ModelFetchError) {
        var done = 0
        while done < bytes.count {
            let n = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.error(path, "cannot write")
            }
            done += n
        }
        size += bytes.count
    }

    /// Empties the file, to start over when the server will not resume.
    func truncate() throws(ModelFetchError) {
        guard ftruncate(descriptor, 0) == 0 else { throw Self.error(path, "cannot truncate") }
        size = 0
    }

    /// Feeds the bytes already in the file to `hasher`, before a resumed download appends more.
    func hashContents(into hasher: inout ChecksumHasher) throws(ModelFetchError) {
        try hasher.update(contentsOf: path)
    }

    /// Syncs the file to disk and renames it over `finalPath`.
    func commit() throws(ModelFetchError) {
        guard fsync(descriptor) == 0 else { throw Self.error(path, "cannot sync to disk") }
        close(descriptor)
        descriptor = -1
        guard rename(path, finalPath) == 0 else { throw Self.error(finalPath, "cannot rename \(path) into place") }
    }

    /// Closes and deletes the file, after a failed verification: nothing unverified is kept.
    func discard() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        unlink(path)
    }

    /// `.disk` for the current `errno`.
    static func error(_ path: String, _ action: String) -> ModelFetchError {
        .disk(path: path, reason: "\(action): \(String(cString: strerror(errno)))")
    }
}
