import Foundation

/// Per-index results that concurrent workers may fill; `@unchecked Sendable` because `slots` is
/// only touched while `lock` is held.
final class ResultSlots<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<T, any Error>?]

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ value: Result<T, any Error>) {
        lock.withLock { slots[index] = value }
    }

    /// Every slot's value; rethrows the first error, and fails on an unfilled slot.
    func values() throws -> [T] {
        try lock.withLock { try slots.map { try unwrap($0) } }
    }

    private func unwrap(_ slot: Result<T, any Error>?) throws -> T {
        guard let slot else { throw CocoaError(.coderValueNotFound) }
        return try slot.get()
    }
}
