import Foundation
@testable import STClipCLI
import STClipLabelSets
import XCTest

/// The parts of `stclip eval` that need no video: the metrics, the list reader and the progress line.
final class EvalPartsTests: XCTestCase {
    func testMetricsCountHitsPerClassAndConfusions() {
        var m = EvalMetrics(classCount: 7)
        XCTAssertNil(m.top1)
        XCTAssertNil(m.meanClassAccuracy)
        m.record(truth: 0, ranked: [0, 1, 2, 3, 4, 5, 6])   // hit
        m.record(truth: 0, ranked: [1, 0, 2, 3, 4, 5, 6])   // top-5 only, 0 → 1
        m.record(truth: 0, ranked: [1, 2, 3, 4, 5, 0, 6])   // miss, 0 → 1
        m.record(truth: 3, ranked: [3, 0, 1, 2, 4, 5, 6])   // hit
        m.record(truth: 6, ranked: [2, 0, 1, 3, 4, 5, 6])   // miss, 6 → 2
        XCTAssertEqual(m.evaluated, 5)
        XCTAssertEqual(m.top1, 2.0 / 5)
        XCTAssertEqual(m.topK, 3.0 / 5)
        XCTAssertEqual(m.accuracy(ofClass: 0), 1.0 / 3)
        XCTAssertNil(m.accuracy(ofClass: 1), "no video of class 1")
        XCTAssertEqual(m.meanClassAccuracy!, (1.0 / 3 + 1 + 0) / 3, accuracy: 1e-12)
        let confused = m.mostConfused(10)
        XCTAssertEqual(confused.map(\.confusion), [.init(truth: 0, predicted: 1), .init(truth: 6, predicted: 2)])
        XCTAssertEqual(confused.map(\.count), [2, 1])
        XCTAssertEqual(m.mostConfused(1).count, 1)
    }

    func testTopKShrinksToTheNumberOfClasses() {
        var m = EvalMetrics(classCount: 3)
        XCTAssertEqual(m.k, 3)
        m.record(truth: 2, ranked: [0, 1, 2])
        XCTAssertEqual(m.topK, 1)
        XCTAssertEqual(m.top1, 0)
    }

    func testListResolvesPathsAndLabelsAndCollectsEveryProblem() throws {
        let hmdb = try BuiltinLabelSets.load("hmdb51")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stclip-list-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("list.tsv")
        try "a.mp4\tbrush hair\r\n/abs/b.mp4\tKICK_BALL\n\n# note\nc.mp4\tdancing\n".write(to: file, atomically: true, encoding: .utf8)
        let existing: Set<String> = [dir.appendingPathComponent("a.mp4").path, "/abs/b.mp4", dir.appendingPathComponent("c.mp4").path]
        XCTAssertThrowsError(try EvalList(path: file.path, labelSet: hmdb, fileExists: existing.contains)) {
            XCTAssertEqual($0 as? EvalError, .invalidList(path: file.path, labelSet: "hmdb51", problems: [.init(line: 5, kind: .unknownLabel("dancing"))]))
        }
        try "a.mp4\tbrush hair\r\n/abs/b.mp4\tKICK_BALL\n".write(to: file, atomically: true, encoding: .utf8)
        let list = try EvalList(path: file.path, labelSet: hmdb, fileExists: existing.contains)
        XCTAssertEqual(list.items, [
            .init(line: 1, path: dir.appendingPathComponent("a.mp4").path, label: 0),
            .init(line: 2, path: "/abs/b.mp4", label: hmdb.classNames.firstIndex(of: "kick_ball")!),
        ])
    }

    func testTheProgressLineShowsCountRateAndAccuracy() {
        let bar = ProgressBar(total: 40, enabled: false)
        XCTAssertEqual(bar.line(done: 0, elapsed: 0, top1: nil), "[............................] 0/40")
        XCTAssertEqual(bar.line(done: 10, elapsed: 5, top1: 0.5), "[#######.....................] 10/40  2.00 videos/s  ETA 0:15  top-1 50.0%")
        XCTAssertEqual(bar.line(done: 40, elapsed: 20, top1: 1), "[############################] 40/40  2.00 videos/s  ETA 0:00  top-1 100.0%")
    }

    func testManyBadLinesAreSummarisedOnOneLine() {
        let problems = (1...8).map { EvalError.Problem(line: $0, kind: .noTab) }
        let text = EvalError.invalidList(path: "l.tsv", labelSet: "ucf101", problems: problems).description
        XCTAssertTrue(text.hasPrefix("l.tsv: 8 bad lines (label set ucf101): line 1:"), text)
        XCTAssertTrue(text.hasSuffix("; and 3 more"), text)
        XCTAssertFalse(text.contains("\n"))
    }
}
