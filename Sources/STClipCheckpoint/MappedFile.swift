#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory, unmapped when the last user lets go.
///
/// Float32 tensors read from a checkpoint are views into this mapping and hold it as their owner,
/// so the mapping outlives the `SafetensorsFile` that made it for as long as any tensor needs it.
/// Pages are read from disk only when touched, which is what makes opening a large checkpoint
/// cheap. The mapping is never written (it is `PROT_READ`), so sharing it across threads is safe.
/// If another process truncates the file while it is mapped, touching the lost pages raises
/// SIGBUS; no reader of a mapped file can prevent that.
final class MappedFile: @unchecked Sendable {
    /// The path the file was opened with, for error messages.
    let path: String
    /// The file's bytes; empty (with no mapping behind it) for an empty file, which `mmap` refuses.
    let bytes: UnsafeRawBufferPointer

    init(path: String) throws(CheckpointError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT { throw .missingFile(path: path) }
            throw .unreadableFile(path: path, reason: MappedFile.message(code))
        }
        defer { close(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw .unreadableFile(path: path, reason: MappedFile.message(errno))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw .unreadableFile(path: path, reason: "not a regular file")
        }
        guard let size = Int(exactly: info.st_size), size >= 0 else {
            throw .unreadableFile(path: path, reason: "file size \(info.st_size) is not addressable")
        }
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw .unreadableFile(path: path, reason: "mmap: " + MappedFile.message(errno))
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }

    static func message(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
