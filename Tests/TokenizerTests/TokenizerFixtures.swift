import Foundation
import XCTest
import STClipTokenizer

/// Locations and contents of `Tests/Fixtures/clip-tokenizer/`, written by
/// `Scripts/fixtures/make_tokenizer_fixtures.py` from transformers' CLIPTokenizer.
enum TokenizerFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/clip-tokenizer", isDirectory: true)

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// The CLIP tokenizer built from the fixture directory.
    static func tokenizer() throws -> CLIPTokenizer {
        try CLIPTokenizer(directory: directory)
    }

    /// A fixture JSON file's top-level object.
    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(name))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(name) is not a JSON object")
    }

    /// `(text, ids)` pairs of a list of `{"text": …, "ids": […]}` objects in `golden.json`.
    static func cases(_ key: String) throws -> [(text: String, ids: [Int])] {
        let list = try XCTUnwrap(try json("golden.json")[key] as? [[String: Any]], "golden.json has no \(key)")
        return try list.map { item in
            (try XCTUnwrap(item["text"] as? String), try XCTUnwrap(item["ids"] as? [Int]))
        }
    }

    /// A temporary directory removed at the end of `testCase`.
    static func temporaryDirectory(for testCase: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("stclip-tokenizer-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Printable form of a test string: Swift escapes for anything unusual.
    static func describe(_ text: String) -> String {
        let shown = text.count > 80 ? String(text.prefix(80)) + "… (\(text.count) characters)" : text
        return shown.debugDescription
    }
}
