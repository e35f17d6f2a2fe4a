import Foundation
import XCTest
import STClipTokenizer

/// `tokenizer_config.json` and `special_tokens_map.json` set the maximum length and special
/// tokens; without them CLIP's defaults apply.
final class ConfigurationTests: XCTestCase {
    private func copyFixture(with extra: [String: String]) throws -> URL {
        let directory = try TokenizerFixtures.temporaryDirectory(for: self)
        for name in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: TokenizerFixtures.url(name), to: directory.appendingPathComponent(name))
        }
        for (name, content) in extra {
            try content.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return directory
    }

    func testDefaultsWithoutConfigFiles() throws {
        let tokenizer = try CLIPTokenizer(vocabularyFile: TokenizerFixtures.url("vocab.json"),
                                          mergesFile: TokenizerFixtures.url("merges.txt"))
        XCTAssertEqual(tokenizer.maxLength, 77)
        XCTAssertEqual([tokenizer.bosTokenID, tokenizer.eosTokenID, tokenizer.padTokenID], [49406, 49407, 49407])
        XCTAssertEqual(tokenizer.encode("a photo of a cat"), [49406, 320, 1125, 539, 320, 2368, 49407])
    }

    func testMaxLengthFromConfigTruncates() throws {
        let tokenizer = try CLIPTokenizer(directory: try copyFixture(with: ["tokenizer_config.json": #"{"model_max_length": 5}"#]))
        XCTAssertEqual(tokenizer.maxLength, 5)
        XCTAssertEqual(tokenizer.encode("a photo of a cat"), [49406, 320, 1125, 539, 49407])
        let batch = tokenizer.encodeBatch(["a", "a photo of a cat"], padTo: .maxLength)
        XCTAssertEqual(batch.inputIDs, [[49406, 320, 49407, 49407, 49407], [49406, 320, 1125, 539, 49407]])
        XCTAssertEqual(batch.attentionMask, [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    }

    func testUnsetMaxLengthSentinelFallsBackTo77() throws {
        // transformers writes int(1e30) when a tokenizer has no length limit.
        let config = #"{"model_max_length": 1000000000000000019884624838656}"#
        let tokenizer = try CLIPTokenizer(directory: try copyFixture(with: ["tokenizer_config.json": config]))
        XCTAssertEqual(tokenizer.maxLength, 77)
    }

    func testSpecialTokensMapOverridesConfig() throws {
        let tokenizer = try CLIPTokenizer(directory: try copyFixture(with: [
            "tokenizer_config.json": #"{"pad_token": "<|endoftext|>"}"#,
            "special_tokens_map.json": #"{"pad_token": {"content": "!", "lstrip": false}}"#,
        ]))
        XCTAssertEqual(tokenizer.padTokenID, 0)
        XCTAssertEqual(tokenizer.encodeBatch(["a", ""]).inputIDs, [[49406, 320, 49407], [49406, 49407, 0]])
        // As in transformers, the pad token becomes a special token matched in raw text.
        XCTAssertEqual(tokenizer.encode("a!!b"), [49406, 320, 0, 0, 321, 49407])
    }

    func testAddedTokensDecoderMakesTransformersIgnoreTheMap() throws {
        let tokenizer = try CLIPTokenizer(directory: try copyFixture(with: [
            "tokenizer_config.json": #"{"pad_token": "<|endoftext|>", "added_tokens_decoder": {}}"#,
            "special_tokens_map.json": #"{"pad_token": "!"}"#,
        ]))
        XCTAssertEqual(tokenizer.padTokenID, 49407)
    }
}
