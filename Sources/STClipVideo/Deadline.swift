import Dispatch

/// The decode-time budget of one request, shared by the read callback, FFmpeg's interrupt
/// callback and the decode loop. Once past, `isPast` stays true and `hit` records that the budget
/// (not the input) stopped the work, so that the resulting FFmpeg error is reported as a timeout.
final class Deadline: @unchecked Sendable {
    let budget: Double
    private let end: UInt64
    /// Set by whichever check first found the deadline past; read after FFmpeg returns an error.
    private(set) var hit = false

    init(seconds: Double) {
        budget = seconds
        let nanos = seconds.isFinite ? UInt64(max(0, min(seconds, 1e9)) * 1e9) : UInt64.max / 2
        end = DispatchTime.now().uptimeNanoseconds &+ nanos
    }

    /// Whether the budget is spent. Called from FFmpeg's callbacks on the decoding thread only.
    var isPast: Bool {
        if !hit && DispatchTime.now().uptimeNanoseconds > end { hit = true }
        return hit
    }

    /// Throws `.timedOut` once the budget is spent.
    func check() throws(VideoError) {
        if isPast { throw .timedOut(budget: budget) }
    }
}
