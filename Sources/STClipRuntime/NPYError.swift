/// Errors raised while reading or writing NumPy `.npy` files.
public enum NPYError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read or written; `reason` is the system's message.
    case io(path: String, reason: String)
    /// The bytes are not an `.npy` file (bad magic, version or header); `detail` says what.
    case malformed(path: String, detail: String)
    /// The array's dtype or layout is not one stclip reads (it reads little-endian float32, C order).
    case unsupported(path: String, detail: String)

    public var description: String {
        switch self {
        case let .io(path, reason): return "\(path): \(reason)"
        case let .malformed(path, detail): return "\(path): not a valid .npy file: \(detail)"
        case let .unsupported(path, detail): return "\(path): unsupported .npy array: \(detail)"
        }
    }
}
