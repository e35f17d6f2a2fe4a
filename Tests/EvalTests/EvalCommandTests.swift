import Foundation
import STClipTestSupport
import XCTest

/// `stclip eval` end to end on tiny videos made with the ffmpeg CLI and the tiny fixture models. The
/// accuracies of a random model mean nothing, so the list's labels are chosen from what
/// `stclip classify --labelset` ranks for each video: the counts, accuracies and confusions eval
/// reports must then follow exactly.
final class EvalCommandTests: XCTestCase {
    typealias Run = StclipRun

    static let clip = fixtureURL("clip").appendingPathComponent("tiny-p32").path
    static let xclip = fixtureURL("xclip").appendingPathComponent("tiny-p32").path

    /// Four one-second 96×64 MPEG-4 videos of different content, made once for the whole suite.
    static let videos: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stclip-eval-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let sources = ["testsrc=size=96x64:rate=10:duration=1", "color=c=red:size=96x64:rate=10:duration=1",
                       "mandelbrot=size=96x64:rate=10", "smptebars=size=96x64:rate=10:duration=1"]
        for (i, source) in sources.enumerated() {
            let ffmpeg = Process()
            ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            ffmpeg.arguments = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-t", "1", "-c:v", "mpeg4",
                                dir.appendingPathComponent("v\(i).mp4").path]
            try! ffmpeg.run()
            ffmpeg.waitUntilExit()
            precondition(ffmpeg.terminationStatus == 0, "ffmpeg (the Debian package the setup script installs) failed on \(source)")
        }
        return dir
    }()

    func stclip(_ arguments: [String]) throws -> Run { try StclipBinary.run(arguments) }

    /// Writes `lines` as a list file in the videos' directory and returns its path.
    func list(_ lines: [String], name: String = UUID().uuidString) throws -> String {
        let url = Self.videos.appendingPathComponent("\(name).tsv")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Every HMDB51 class, best first, as `stclip classify --labelset` ranks video `i` sampled the way eval samples it.
    func ranking(ofVideo i: Int) throws -> [String] {
        let npy = Self.videos.appendingPathComponent("v\(i).npy").path
        let sampled = try stclip(["sample-frames", Self.videos.appendingPathComponent("v\(i).mp4").path, "--frames", "8",
                                  "--model", Self.clip, "--out", npy])
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
        let classified = try stclip(["classify", "--model", Self.clip, "--pixels", npy, "--labelset", "hmdb51", "--top-k", "51", "--threads", "1"])
        XCTAssertEqual(classified.status, 0, classified.stderr)
        let ranked = try XCTUnwrap(classified.json["top_k"] as? [[String: Any]]).compactMap { $0["label"] as? String }
        XCTAssertEqual(ranked.count, 51)
        return ranked
    }

    func testReportsFollowTheModelsRankings() throws {
        let rankings = try (0..<4).map(ranking(ofVideo:))
        // Video 0 and 1 labelled with their best class (top-1 hits), video 2 with its third (a top-5
        // hit only), video 3 with its eleventh (a miss).
        let labels = [rankings[0][0], rankings[1][0], rankings[2][2], rankings[3][10]]
        let path = try list(["# the four test videos", ""] + labels.enumerated().map { "v\($0.offset).mp4\t\($0.element)" })
        let run = try stclip(["eval", "--model", Self.clip, "--labelset", "hmdb51", "--list", path, "--json", "--threads", "1"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertFalse(run.stderr.contains("\r"), "no progress bar when stderr is not a terminal")
        let json = run.json
        XCTAssertEqual(json["label_set"] as? String, "hmdb51")
        XCTAssertEqual(json["classes"] as? Int, 51)
        XCTAssertEqual(json["mode"] as? String, "all")
        XCTAssertEqual(json["views"] as? String, "1x1")
        XCTAssertEqual(json["frames"] as? Int, 8)
        XCTAssertEqual(json["model_type"] as? String, "clip")
        XCTAssertEqual(json["videos"] as? [String: Int], ["listed": 4, "evaluated": 4, "failed": 0])
        XCTAssertEqual(json["top1"] as? Double, 0.5)
        XCTAssertEqual(json["top5"] as? Double, 0.75)
        XCTAssertEqual(json["top_k"] as? Int, 5)

        // Per class and mean class accuracy, from the labels and rankings.
        var videos: [String: Int] = [:], hits: [String: Int] = [:], confused: [String: Int] = [:]
        for (label, ranked) in zip(labels, rankings) {
            videos[label, default: 0] += 1
            if ranked[0] == label { hits[label, default: 0] += 1 } else { confused["\(label)→\(ranked[0])", default: 0] += 1 }
        }
        let perClass = try XCTUnwrap(json["per_class"] as? [[String: Any]])
        XCTAssertEqual(Set(perClass.compactMap { $0["label"] as? String }), Set(videos.keys))
        for entry in perClass {
            let label = entry["label"] as! String
            XCTAssertEqual(entry["videos"] as? Int, videos[label])
            XCTAssertEqual(entry["top1"] as! Double, Double(hits[label] ?? 0) / Double(videos[label]!), accuracy: 1e-12)
        }
        let mean = videos.keys.map { Double(hits[$0] ?? 0) / Double(videos[$0]!) }.reduce(0, +) / Double(videos.count)
        XCTAssertEqual(json["mean_class_accuracy"] as! Double, mean, accuracy: 1e-12)
        XCTAssertEqual(json["classes_evaluated"] as? Int, videos.count)

        let pairs = try XCTUnwrap(json["confused_pairs"] as? [[String: Any]])
        XCTAssertEqual(pairs.reduce(0) { $0 + ($1["count"] as! Int) }, 2)
        for pair in pairs {
            let label = pair["label"] as! String, predicted = pair["predicted"] as! String
            XCTAssertEqual(pair["count"] as? Int, confused["\(label)→\(predicted)"], "\(label) → \(predicted)")
            XCTAssertEqual(pair["fraction"] as! Double, Double(pair["count"] as! Int) / Double(videos[label]!), accuracy: 1e-12)
        }

        let throughput = try XCTUnwrap(json["throughput"] as? [String: Double])
        XCTAssertGreaterThan(throughput["videos_per_second"]!, 0)
        XCTAssertEqual(throughput["frames_per_second"]! / throughput["videos_per_second"]!, 8, accuracy: 1e-9)
        XCTAssertEqual((json["failures"] as? [Any])?.count, 0)

        let text = try stclip(["eval", "--model", Self.clip, "--labelset", "hmdb51", "--list", path, "--threads", "1"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.text.contains("top-1 50.00%   top-5 75.00%"), text.text)
        XCTAssertTrue(text.text.contains("videos: 4 evaluated, 0 failed, of 4 listed"), text.text)
        XCTAssertTrue(text.text.contains("most confused"), text.text)
    }

    /// On a terminal the bar is redrawn in place on stderr; `script` (util-linux, Essential in Debian)
    /// gives the command a pseudo-terminal.
    func testAProgressBarIsDrawnOnATerminal() throws {
        let path = try list(["v0.mp4\tclap", "v1.mp4\twave"])
        let command = [StclipBinary.url.path, "eval", "--model", Self.clip, "--labelset", "hmdb51", "--list", path, "--json", "--threads", "1"]
            .map { "'\($0)'" }.joined(separator: " ")
        let run = try stclipThroughScript(command)
        XCTAssertEqual(run.status, 0, run.stderr)
        let terminal = String(decoding: run.stdout, as: UTF8.self)
        XCTAssertTrue(terminal.contains("\r[##############..............] 1/2"), terminal)
        XCTAssertTrue(terminal.contains("\r[############################] 2/2"), terminal)
    }

    /// Runs a shell command line under `script -qec`, which puts it on a pseudo-terminal and copies
    /// what it writes there to stdout.
    func stclipThroughScript(_ command: String) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self))
    }

    func testFourByThreeViewsOnXCLIPTakeTheModelsFrameCount() throws {
        let path = try list(["v0.mp4\tbrushing hair", "v1.mp4\tClap"])
        let run = try stclip(["eval", "--model", Self.xclip, "--labelset", "hmdb51", "--list", path, "--views", "4x3", "--json",
                              "--mode", "templates", "--threads", "1"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.json["views"] as? String, "4x3")
        XCTAssertEqual(run.json["frames"] as? Int, 3, "the tiny X-CLIP was built for 3 frames")
        XCTAssertEqual(run.json["mode"] as? String, "templates")
        XCTAssertEqual(run.json["videos"] as? [String: Int], ["listed": 2, "evaluated": 2, "failed": 0])
        let throughput = try XCTUnwrap(run.json["throughput"] as? [String: Double])
        XCTAssertEqual(throughput["frames_per_second"]! / throughput["videos_per_second"]!, 36, accuracy: 1e-9, "12 views × 3 frames")

        let wrong = try stclip(["eval", "--model", Self.xclip, "--labelset", "hmdb51", "--list", path, "--frames", "5"])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stderr.contains("takes exactly 3 frames"), wrong.stderr)
    }

    func testEveryBadLineIsReportedBeforeAnyVideoIsDecoded() throws {
        let path = try list([
            "v0.mp4 brush_hair",          // a space, not a tab
            "v1.mp4\t",                   // no label
            "v2.mp4\tmoonwalking",        // not an HMDB51 class
            "missing.mp4\tclap",          // no such file
            "v3.mp4\twave",               // fine
        ])
        let run = try stclip(["eval", "--model", Self.clip, "--labelset", "hmdb51", "--list", path])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stdout.isEmpty)
        let message = run.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(message.contains("\n"), "one line: \(message)")
        XCTAssertTrue(message.contains("4 bad lines (label set hmdb51)"), message)
        XCTAssertTrue(message.contains("line 1: expected \"path<TAB>label\""), message)
        XCTAssertTrue(message.contains("line 2: empty path or label"), message)
        XCTAssertTrue(message.contains("line 3: unknown label \"moonwalking\""), message)
        XCTAssertTrue(message.contains("line 4: no such file \(Self.videos.appendingPathComponent("missing.mp4").path)"), message)
    }

    func testUnusableListsAndLabelSetsAreOneLineErrors() throws {
        let good = try list(["v0.mp4\tclap"])
        let cases: [([String], String)] = [
            (["--labelset", "kinetics700", "--list", good], "unknown label set \"kinetics700\""),
            (["--labelset", "hmdb51", "--list", try list(["# nothing here", ""])], "no \"path<TAB>label\" lines"),
            (["--labelset", "hmdb51", "--list", "/nonexistent/list.tsv"], "cannot read the list"),
            (["--labelset", "hmdb51", "--list", good, "--views", "2x2"], "--views"),
            (["--labelset", "ucf101", "--list", good], "unknown label \"clap\""),
        ]
        for (arguments, expected) in cases {
            let run = try stclip(["eval", "--model", Self.clip] + arguments)
            XCTAssertNotEqual(run.status, 0, arguments.joined(separator: " "))
            XCTAssertTrue(run.stderr.contains(expected), "\(arguments): \(run.stderr)")
        }
    }

    func testAVideoThatFailsToDecodeIsReportedAndLeftOut() throws {
        let broken = Self.videos.appendingPathComponent("broken.mp4")
        try Data("this is not a video".utf8).write(to: broken)
        let path = try list(["v0.mp4\tclap", "broken.mp4\twave", "v1.mp4\twave"])
        let run = try stclip(["eval", "--model", Self.clip, "--labelset", "hmdb51", "--list", path, "--json", "--threads", "1"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.json["videos"] as? [String: Int], ["listed": 3, "evaluated": 2, "failed": 1])
        let failures = try XCTUnwrap(run.json["failures"] as? [[String: Any]])
        XCTAssertEqual(failures.count, 1)
        XCTAssertEqual(failures[0]["line"] as? Int, 2)
        XCTAssertEqual(failures[0]["path"] as? String, broken.path)
        XCTAssertFalse((failures[0]["error"] as? String ?? "").isEmpty)
        XCTAssertTrue(run.stderr.contains("1 of 3 videos could not be evaluated"), run.stderr)

        let allBroken = try stclip(["eval", "--model", Self.clip, "--labelset", "hmdb51", "--list", try list(["broken.mp4\twave"])])
        XCTAssertEqual(allBroken.status, 1)
        XCTAssertTrue(allBroken.stderr.contains("no video could be evaluated; line 1"), allBroken.stderr)
    }

    func testClassifyTakesALabelSet() throws {
        let npy = Self.videos.appendingPathComponent("classify-v0.npy").path
        XCTAssertEqual(try stclip(["sample-frames", Self.videos.appendingPathComponent("v0.mp4").path, "--frames", "8",
                                   "--model", Self.clip, "--out", npy]).status, 0)
        let run = try stclip(["classify", "--model", Self.clip, "--pixels", npy, "--labelset", "ucf101", "--mode", "descriptions", "--top-k", "3"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let top = try XCTUnwrap(run.json["top_k"] as? [[String: Any]])
        XCTAssertEqual(top.count, 3)
        XCTAssertTrue(top.allSatisfy { ($0["label"] as? String).map { !$0.contains(" ") } ?? false }, "official UCF101 names")
        let both = try stclip(["classify", "--model", Self.clip, "--pixels", npy, "--labelset", "ucf101", "--labels", "a"])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("one of --labels"), both.stderr)
    }
}
