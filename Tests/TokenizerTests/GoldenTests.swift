import Foundation
import XCTest
@testable import STClipTokenizer

/// Compares the tokenizer with transformers' CLIPTokenizer on the recorded golden data.
final class GoldenTests: XCTestCase {
    func testLoadsCLIPVocabulary() throws {
        let start = Date()
        let tokenizer = try TokenizerFixtures.tokenizer()
        print(String(format: "load: %.0f ms", Date().timeIntervalSince(start) * 1000))
        XCTAssertEqual(tokenizer.vocabularySize, 49408)
        XCTAssertEqual(tokenizer.bosTokenID, 49406)
        XCTAssertEqual(tokenizer.eosTokenID, 49407)
        XCTAssertEqual(tokenizer.padTokenID, 49407)
        XCTAssertEqual(tokenizer.maxLength, 77)
    }

    func testGoldenStrings() throws {
        let cases = try TokenizerFixtures.cases("cases")
        XCTAssertGreaterThanOrEqual(cases.count, 200)
        try checkIdentical(cases, label: "golden")
    }

    func testThousandLabels() throws {
        let cases = try TokenizerFixtures.cases("labels")
        XCTAssertEqual(cases.count, 1000)
        try checkIdentical(cases, label: "labels")
    }

    /// One tokenizer shared by concurrent callers (and its shared word cache) gives the
    /// same ids as the reference.
    func testConcurrentEncoding() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let cases = try TokenizerFixtures.cases("labels") + TokenizerFixtures.cases("cases")
        let results = ResultSlots(count: cases.count)
        DispatchQueue.concurrentPerform(iterations: cases.count) { index in
            results.set(index, tokenizer.encode(cases[index].text))
        }
        let mismatched = zip(cases, results.values).filter { $0.0.ids != $0.1 }.map { TokenizerFixtures.describe($0.0.text) }
        XCTAssert(mismatched.isEmpty, "concurrent encoding differs for \(mismatched)")
    }

    func testTruncatesToMaxLength() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let long = try XCTUnwrap(try TokenizerFixtures.cases("cases").first { $0.text.split(separator: " ").count >= 500 })
        let ids = tokenizer.encode(long.text)
        XCTAssertEqual(ids.count, 77)
        XCTAssertEqual(ids.first, tokenizer.bosTokenID)
        XCTAssertEqual(ids.last, tokenizer.eosTokenID)
        // The kept tokens are the first 75 of the full encoding.
        XCTAssertEqual(Array(ids[1..<76]), Array(tokenizer.textTokenIDs(long.text, limit: .max).prefix(75)))
    }

    func testBatchPadding() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        for key in ["batch", "short_batch"] {
            let batch = try XCTUnwrap(try TokenizerFixtures.json("golden.json")[key] as? [String: Any])
            let texts = try XCTUnwrap(batch["texts"] as? [String])
            for (name, mode) in [("longest", PaddingMode.longest), ("max_length", PaddingMode.maxLength)] {
                guard let expected = batch[name] as? [String: Any] else { continue }
                let result = tokenizer.encodeBatch(texts, padTo: mode)
                XCTAssertEqual(result.inputIDs, try XCTUnwrap(expected["input_ids"] as? [[Int]]), "\(key) \(name) ids")
                XCTAssertEqual(result.attentionMask, try XCTUnwrap(expected["attention_mask"] as? [[Int]]), "\(key) \(name) mask")
            }
        }
        XCTAssertEqual(tokenizer.encodeBatch([]).inputIDs, [])
        XCTAssertEqual(tokenizer.encodeBatch(["a"], padTo: .maxLength).attentionMask[0].count, 77)
    }

    func testDecode() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let list = try XCTUnwrap(try TokenizerFixtures.json("golden.json")["decode"] as? [[String: Any]])
        XCTAssertFalse(list.isEmpty)
        for item in list {
            let ids = try XCTUnwrap(item["ids"] as? [Int])
            let skip = try XCTUnwrap(item["skip_special_tokens"] as? Bool)
            let expected = try XCTUnwrap(item["text"] as? String)
            let decoded = tokenizer.decode(ids, skipSpecialTokens: skip)
            XCTAssert(decoded.unicodeScalars.elementsEqual(expected.unicodeScalars),
                      "decode(\(ids), skip: \(skip)) = \(decoded.debugDescription), expected \(expected.debugDescription)")
        }
    }

    /// Encodes every case with a fresh tokenizer (cold word cache), reports each mismatch
    /// with both id lists and prints the tally and the time taken.
    private func checkIdentical(_ cases: [(text: String, ids: [Int])], label: String) throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let start = Date()
        let results = cases.map { tokenizer.encode($0.text) }
        let elapsed = Date().timeIntervalSince(start)
        var identical = 0
        for (testCase, ids) in zip(cases, results) {
            if ids == testCase.ids {
                identical += 1
            } else {
                XCTFail("\(TokenizerFixtures.describe(testCase.text))\n  expected \(testCase.ids)\n  got      \(ids)")
            }
        }
        print(String(format: "%@: %d/%d identical (%.1f ms)", label, identical, cases.count, elapsed * 1000))
    }
}
