import Foundation
import XCTest
import STClipTokenizer

/// Missing and malformed tokenizer files give typed errors.
final class ErrorTests: XCTestCase {
    /// A minimal valid vocabulary: the 512 byte symbols are not needed for loading.
    private let vocabulary = #"{"a": 0, "b": 1, "ab": 2, "b</w>": 3, "ab</w>": 4, "<|startoftext|>": 5, "<|endoftext|>": 6}"#
    private let merges = "#version: 0.2\na b\na b</w>\n"

    private func write(_ files: [String: String]) throws -> URL {
        let directory = try TokenizerFixtures.temporaryDirectory(for: self)
        for (name, content) in files {
            try content.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return directory
    }

    private func loadError(_ files: [String: String], file: StaticString = #filePath, line: UInt = #line) throws -> TokenizerError? {
        let directory = try write(files)
        do {
            _ = try CLIPTokenizer(directory: directory)
            XCTFail("loading succeeded", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testMinimalFilesLoad() throws {
        let tokenizer = try CLIPTokenizer(directory: try write(["vocab.json": vocabulary, "merges.txt": merges]))
        XCTAssertEqual(tokenizer.vocabularySize, 7)
        XCTAssertEqual([tokenizer.bosTokenID, tokenizer.eosTokenID, tokenizer.padTokenID], [5, 6, 6])
        XCTAssertEqual(tokenizer.encode("ab"), [5, 4, 6])
    }

    func testMissingVocabulary() throws {
        let error = try loadError(["merges.txt": merges])
        guard case .unreadableFile(let path, _) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssert(path.hasSuffix("vocab.json"), path)
    }

    func testMissingMerges() throws {
        let error = try loadError(["vocab.json": vocabulary])
        guard case .unreadableFile(let path, _) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssert(path.hasSuffix("merges.txt"), path)
    }

    func testMissingDirectory() {
        let directory = URL(fileURLWithPath: "/nonexistent/stclip/tokenizer")
        XCTAssertThrowsError(try CLIPTokenizer(directory: directory)) { error in
            XCTAssertEqual(error as? TokenizerError,
                           .unreadableFile(path: directory.appendingPathComponent("vocab.json").path, reason: "no such file"))
        }
    }

    func testVocabularyThatIsNotJSON() throws {
        let error = try loadError(["vocab.json": #"{"a": 0,"#, "merges.txt": merges])
        guard case .malformedFile(let path, _) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssert(path.hasSuffix("vocab.json"), path)
    }

    func testVocabularyWithWrongShape() throws {
        for content in [#"["a", "b"]"#, #"{"a": "0"}"#, #"{"a": 1.5}"#, #"{"a": true}"#, #"{"a": -1}"#, #"{"a": 0, "b": 0}"#, "{}"] {
            let error = try loadError(["vocab.json": content, "merges.txt": merges])
            guard case .malformedFile(let path, _) = error else { return XCTFail("\(content): \(String(describing: error))") }
            XCTAssert(path.hasSuffix("vocab.json"), path)
        }
    }

    func testVocabularyWithoutEndOfText() throws {
        let error = try loadError(["vocab.json": #"{"a": 0, "b": 1, "ab": 2, "b</w>": 3, "ab</w>": 4, "<|startoftext|>": 5}"#,
                                   "merges.txt": merges])
        XCTAssertEqual(error, .missingSpecialToken("<|endoftext|>"))
    }

    func testVocabularyWithoutStartOfText() throws {
        let error = try loadError(["vocab.json": #"{"a": 0, "b": 1, "ab": 2, "b</w>": 3, "ab</w>": 4, "<|endoftext|>": 6}"#,
                                   "merges.txt": merges])
        XCTAssertEqual(error, .missingSpecialToken("<|startoftext|>"))
    }

    func testMergesWithBadLines() throws {
        for (content, badLine) in [("#version: 0.2\na b\nab\n", 3), ("a b c\n", 1), ("a  b\n", 1), ("a b\n\na b</w>\n", 2), (" b\n", 1)] {
            let error = try loadError(["vocab.json": vocabulary, "merges.txt": content])
            guard case .malformedFile(let path, let detail) = error else { return XCTFail("\(content.debugDescription): \(String(describing: error))") }
            XCTAssert(path.hasSuffix("merges.txt"), path)
            XCTAssert(detail.hasPrefix("line \(badLine):"), "\(content.debugDescription): \(detail)")
        }
    }

    func testMergesWithTokensOutsideVocabulary() throws {
        for content in ["a c\n", "b a\n"] {
            let error = try loadError(["vocab.json": vocabulary, "merges.txt": content])
            guard case .malformedFile(let path, let detail) = error else { return XCTFail("\(content.debugDescription): \(String(describing: error))") }
            XCTAssert(path.hasSuffix("merges.txt"), path)
            XCTAssert(detail.contains("missing from the vocabulary"), detail)
        }
    }

    func testMergesThatAreNotUTF8() throws {
        let directory = try write(["vocab.json": vocabulary])
        try Data([0x61, 0x20, 0xFF, 0x0A]).write(to: directory.appendingPathComponent("merges.txt"))
        XCTAssertThrowsError(try CLIPTokenizer(directory: directory)) { error in
            guard case .malformedFile(_, let detail)? = error as? TokenizerError else { return XCTFail("\(error)") }
            XCTAssertEqual(detail, "not valid UTF-8")
        }
    }

    func testMalformedTokenizerConfig() throws {
        for config in [#"{"model_max_length": "77"}"#, #"{"model_max_length": 1}"#, #"{"model_max_length": 7.5}"#,
                       #"{"pad_token": 3}"#, #"{"bos_token": {"lstrip": false}}"#, "[]", "not json"] {
            let error = try loadError(["vocab.json": vocabulary, "merges.txt": merges, "tokenizer_config.json": config])
            guard case .malformedFile(let path, _) = error else { return XCTFail("\(config): \(String(describing: error))") }
            XCTAssert(path.hasSuffix("tokenizer_config.json"), path)
        }
    }

    func testConfiguredSpecialTokenMissingFromVocabulary() throws {
        let error = try loadError(["vocab.json": vocabulary, "merges.txt": merges,
                                   "special_tokens_map.json": #"{"pad_token": "<|pad|>"}"#])
        XCTAssertEqual(error, .missingSpecialToken("<|pad|>"))
    }

    func testExplicitConfigFileThatDoesNotExist() throws {
        let directory = try write(["vocab.json": vocabulary, "merges.txt": merges])
        let config = directory.appendingPathComponent("tokenizer_config.json")
        XCTAssertThrowsError(try CLIPTokenizer(vocabularyFile: directory.appendingPathComponent("vocab.json"),
                                               mergesFile: directory.appendingPathComponent("merges.txt"),
                                               tokenizerConfigFile: config)) { error in
            XCTAssertEqual(error as? TokenizerError, .unreadableFile(path: config.path, reason: "no such file"))
        }
    }
}
