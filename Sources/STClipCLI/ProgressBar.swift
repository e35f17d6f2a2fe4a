import Foundation

/// A one-line progress bar on stderr, redrawn in place, shown only when stderr is a terminal so
/// that logs and pipes get no carriage-return noise.
struct ProgressBar {
    let total: Int
    let enabled: Bool
    /// Bar width in characters.
    let width = 28

    init(total: Int, enabled: Bool = isatty(STDERR_FILENO) != 0) {
        self.total = total
        self.enabled = enabled
    }

    /// The line for `done` of `total` videos after `elapsed` seconds, with the running top-1.
    func line(done: Int, elapsed: Double, top1: Double?) -> String {
        let fraction = total == 0 ? 1 : Double(done) / Double(total)
        let filled = min(width, Int((fraction * Double(width)).rounded(.down)))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        var text = "[\(bar)] \(done)/\(total)"
        if done > 0, elapsed > 0 {
            let rate = Double(done) / elapsed
            let remaining = Int((Double(total - done) / rate).rounded())
            text += String(format: "  %.2f videos/s  ETA %d:%02d", rate, remaining / 60, remaining % 60)
        }
        if let top1 { text += String(format: "  top-1 %.1f%%", top1 * 100) }
        return text
    }

    /// Redraws the bar (when enabled).
    func update(done: Int, elapsed: Double, top1: Double?) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("\r" + line(done: done, elapsed: elapsed, top1: top1) + "\u{1B}[K").utf8))
    }

    /// Ends the bar's line (when enabled), so what follows starts on a line of its own.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
