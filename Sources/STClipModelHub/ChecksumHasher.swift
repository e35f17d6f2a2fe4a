import Crypto

/// Computes a `HubChecksum`'s digest over a file's bytes fed in order, so that a download is
/// hashed as it streams (and a resumed one from the bytes already on disk first).
struct ChecksumHasher {
    private enum State {
        case sha256(SHA256)
        case sha1(Insecure.SHA1)
    }

    private var state: State

    /// A hasher for `checksum` over a file of `size` bytes; git's blob hash starts with a header
    /// naming the size, so the size must be the final one.
    init(for checksum: HubChecksum, size: Int) {
        switch checksum {
        case .sha256:
            state = .sha256(SHA256())
        case .gitBlobSHA1:
            var sha1 = Insecure.SHA1()
            sha1.update(data: Array("blob \(size)\0".utf8))
            state = .sha1(sha1)
        }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case var .sha256(h): h.update(bufferPointer: bytes); state = .sha256(h)
        case var .sha1(h): h.update(bufferPointer: bytes); state = .sha1(h)
        }
    }

    /// The digest in lower-case hex.
    func finalize() -> String {
        switch state {
        case let .sha256(h): return Self.hex(h.finalize())
        case let .sha1(h): return Self.hex(h.finalize())
        }
    }

    private static func hex(_ digest: some Digest) -> String {
        digest.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }.joined()
    }
}
