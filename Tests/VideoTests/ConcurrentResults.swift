import Foundation

/// Slots written from concurrent work, read after it.
final class ConcurrentResults: @unchecked Sendable {
    private var values: [[Float]?]
    private let lock = NSLock()
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: [Float]?) { lock.withLock { values[i] = v } }
    func get(_ i: Int) -> [Float]? { lock.withLock { values[i] } }
}
