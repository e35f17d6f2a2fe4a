import Foundation

/// A one-line progress bar on stderr, redrawn in place, shown only when stderr is a terminal so
/// that logs and pipes get no carriage-return noise.
struct ProgressBar {
    /// What is counted: items (videos, shown as counts) or bytes (shown in MiB).
    enum Unit {
        case items(String)
        case bytes
    }

    let total: Int
    let unit: Unit
    let enabled: Bool
    /// Bar width in characters.
    let width = 28

    init(total: Int, unit: Unit = .items("videos"), enabled: Bool = isatty(STDERR_FILENO) != 0) {
        self.total = total
        self.unit = unit
        self.enabled = enabled
    }

    /// The line for `done` of `total` videos after `elapsed` seconds, with the running top-1.
    func line(done: Int, elapsed: Double, top1: Double?) -> String {
        line(done: done, elapsed: elapsed, note: top1.map { String(format: "top-1 %.1f%%", $0 * 100) })
    }

    /// The line for `done` of `total` after `elapsed` seconds, of which `start` were done before
    /// the clock started (bytes a resumed download already had), so the rate and ETA count only
    /// this run's; `note` ends the line.
    func line(done: Int, elapsed: Double, start: Int = 0, note: String?) -> String {
        let fraction = total == 0 ? 1 : Double(done) / Double(total)
        let filled = max(0, min(width, Int((fraction * Double(width)).rounded(.down))))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        var text: String
        switch unit {
        case .items: text = "[\(bar)] \(done)/\(total)"
        case .bytes: text = "[\(bar)] " + String(format: "%.1f/%.1f MiB", Self.mebibytes(done), Self.mebibytes(total))
        }
        if done > start, elapsed > 0 {
            let rate = Double(done - start) / elapsed
            let remaining = Int((Double(max(0, total - done)) / rate).rounded())
            switch unit {
            case let .items(noun): text += String(format: "  %.2f \(noun)/s", rate)
            case .bytes: text += String(format: "  %.1f MiB/s", Self.mebibytes(Int(rate)))
            }
            text += String(format: "  ETA %d:%02d", remaining / 60, remaining % 60)
        }
        if let note { text += "  " + note }
        return text
    }

    /// Redraws the bar (when enabled).
    func update(done: Int, elapsed: Double, top1: Double?) {
        guard enabled else { return }
        draw(line(done: done, elapsed: elapsed, top1: top1))
    }

    /// Redraws the bar (when enabled); see `line(done:elapsed:start:note:)`.
    func update(done: Int, elapsed: Double, start: Int, note: String?) {
        guard enabled else { return }
        draw(line(done: done, elapsed: elapsed, start: start, note: note))
    }

    /// Ends the bar's line (when enabled), so what follows starts on a line of its own.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func draw(_ line: String) {
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }

    private static func mebibytes(_ bytes: Int) -> Double { Double(bytes) / 1_048_576 }
}
