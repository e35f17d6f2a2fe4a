import Foundation
import STClipModelHub

/// Draws `stclip model fetch`'s progress bar from the fetcher's reports: at most ten redraws a
/// second, and once as each file completes. The rate counts only bytes that arrived in this run.
final class DownloadProgressDisplay: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled: Bool
    private let clock = ContinuousClock()
    // Guarded by `lock`:
    private var started: ContinuousClock.Instant?
    private var startBytes = 0
    private var lastDraw: ContinuousClock.Instant?
    private var drawn = false

    init(enabled: Bool = isatty(STDERR_FILENO) != 0) {
        self.enabled = enabled
    }

    /// Takes one report; called on the fetching task.
    func report(_ progress: FetchProgress) {
        guard enabled else { return }
        lock.withLock {
            let now = clock.now
            if started == nil {
                started = now
                startBytes = progress.completedBytes
            }
            let fileDone = progress.fileBytes == progress.fileSize
            if !fileDone, let lastDraw, now - lastDraw < .milliseconds(100) { return }
            lastDraw = now
            drawn = true
            let elapsed = now - started!
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            ProgressBar(total: progress.totalBytes, unit: .bytes, enabled: true)
                .update(done: progress.completedBytes, elapsed: seconds, start: startBytes, note: progress.file)
        }
    }

    /// Ends the bar's line, if one was drawn.
    func finish() {
        lock.withLock {
            if drawn { ProgressBar(total: 0, enabled: true).finish() }
            drawn = false
        }
    }
}
