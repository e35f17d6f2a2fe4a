import Foundation

/// Per-index result storage that concurrent workers may fill.
/// `@unchecked Sendable` because `slots` is only touched while `lock` is held.
final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[Int]]

    init(count: Int) {
        slots = Array(repeating: [], count: count)
    }

    func set(_ index: Int, _ value: [Int]) {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = value
    }

    var values: [[Int]] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}
