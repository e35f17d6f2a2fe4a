import Foundation

/// A thread-safe cache from a word's UTF-8 bytes to its BPE token ids.
///
/// Shared by all copies of a tokenizer. Like `tokenizers`' BPE cache it is bounded and simply
/// stops accepting entries when full, so memory stays flat on endless unique input.
/// `@unchecked Sendable` because `entries` is only touched while `lock` is held.
final class BPECache: @unchecked Sendable {
    /// `tokenizers`' default BPE cache capacity.
    static let defaultCapacity = 10_000

    private let lock = NSLock()
    private var entries: [[UInt8]: [Int]] = [:]
    private let capacity: Int

    init(capacity: Int = BPECache.defaultCapacity) {
        self.capacity = capacity
    }

    func ids(for word: [UInt8]) -> [Int]? {
        lock.lock()
        defer { lock.unlock() }
        return entries[word]
    }

    func store(_ ids: [Int], for word: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count < capacity { entries[word] = ids }
    }
}
