import Foundation

/// How every stclip-bench subcommand times its work: sorted runs after a warm-up, or the
/// lockstep protocol that Scripts/bench/lockstep.py drives against a reference process.
enum BenchTiming {
    /// The lockstep protocol of Scripts/bench/lockstep.py: "ready", then per stdin line one run of
    /// `body` and its milliseconds, until stdin ends.
    static func serveLockstep(_ body: () throws -> Void) throws {
        // Unbuffered writes: the driver waits for each line.
        func emit(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        emit("ready")
        while readLine() != nil {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            emit("\(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)")
        }
    }

    /// Sorted milliseconds of `iterations` runs of `body` after one warm-up.
    static func time(_ iterations: Int, _ body: () throws -> Void) throws -> [Double] {
        try body()
        var times: [Double] = []
        for _ in 0..<max(1, iterations) {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times.sorted()
    }
}
