import Crypto
import Foundation
import STClipModels

/// Storage keys of class embeddings: the mode and a SHA-256 of the texts averaged, so that an
/// edited description or template gives a new key (and a recomputed embedding).
enum ClassEmbeddingKey {
    static func make(mode: ClassEmbeddingMode, texts: [String]) -> String {
        var hasher = SHA256()
        for text in texts {
            hasher.update(data: Data(text.utf8))
            hasher.update(data: Data([0x1F]))
        }
        return "\(mode.rawValue):" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
