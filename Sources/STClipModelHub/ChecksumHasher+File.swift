import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ChecksumHasher {
    /// Feeds every byte of the file at `path`, read in 1 MiB chunks.
    mutating func update(contentsOf path: String) throws(ModelFetchError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw PartialFile.error(path, "cannot open for reading") }
        defer { close(descriptor) }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let n = read(descriptor, chunk.baseAddress, chunk.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw PartialFile.error(path, "cannot read")
            }
            if n == 0 { return }
            update(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
        }
    }

    /// The digest of the file at `path` for `checksum`, whose size must be `size`.
    static func digest(ofFile path: String, checksum: HubChecksum, size: Int) throws(ModelFetchError) -> String {
        var hasher = ChecksumHasher(for: checksum, size: size)
        try hasher.update(contentsOf: path)
        return hasher.finalize()
    }
}
