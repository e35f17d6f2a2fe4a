import Foundation
@testable import STClipModelHub
import XCTest

/// The hub's checksums, its listing format, and the choice of files from a listing.
final class ChecksumAndSelectionTests: XCTestCase {
    func digest(_ text: String, _ checksum: HubChecksum) -> String {
        let bytes = Array(text.utf8)
        var hasher = ChecksumHasher(for: checksum, size: bytes.count)
        // Fed in two pieces: a resumed download hashes the bytes on disk, then the rest.
        bytes.withUnsafeBytes { all in
            hasher.update(UnsafeRawBufferPointer(rebasing: all[0..<(all.count / 2)]))
            hasher.update(UnsafeRawBufferPointer(rebasing: all[(all.count / 2)...]))
        }
        return hasher.finalize()
    }

    func testGitBlobSHA1AndSHA256MatchGitAndTheStandard() {
        // `printf 'hello\n' | git hash-object --stdin`
        XCTAssertEqual(digest("hello\n", .gitBlobSHA1("")), "ce013625030ba8dba906f756967f9e9ca394464a")
        // `git hash-object /dev/null`: the empty blob.
        XCTAssertEqual(digest("", .gitBlobSHA1("")), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
        // FIPS 180-2's "abc".
        XCTAssertEqual(digest("abc", .sha256("")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func file(_ path: String, _ size: Int = 10) -> HubFile {
        HubFile(path: path, size: size, checksum: .gitBlobSHA1(String(repeating: "0", count: 40)))
    }

    func testTheTreeListingGivesLFSAndGitChecksumsAndSkipsFolders() throws {
        let sha256 = String(repeating: "ab", count: 32), blob = String(repeating: "cd", count: 20)
        let json = """
            [{"type": "file", "oid": "\(blob)", "size": 586, "path": "config.json"},
             {"type": "file", "oid": "\(blob)", "size": 134, "path": "model.safetensors",
              "lfs": {"oid": "\(sha256)", "size": 605157884, "pointerSize": 134}},
             {"type": "directory", "oid": "\(blob)", "size": 0, "path": "onnx"},
             {"type": "file", "oid": "\(blob)", "size": 5, "path": "onnx/model.onnx"}]
            """
        XCTAssertEqual(try HubFile.parseTree(Data(json.utf8), url: "u"), [
            HubFile(path: "config.json", size: 586, checksum: .gitBlobSHA1(blob)),
            HubFile(path: "model.safetensors", size: 605_157_884, checksum: .sha256(sha256)),
        ])
        for bad in [#"{"not": "an array"}"#, #"[{"type": "file", "path": "a", "size": 1, "oid": "xyz"}]"#,
                    #"[{"type": "file", "path": "a", "oid": "\#(blob)"}]"#,
                    #"[{"type": "file", "path": "a", "size": 1, "oid": "\#(blob)", "lfs": {"oid": "short", "size": 1}}]"#] {
            XCTAssertThrowsError(try HubFile.parseTree(Data(bad.utf8), url: "u"), bad) {
                guard case .badListing(url: "u", _) = $0 as? ModelFetchError else { return XCTFail("\($0)") }
            }
        }
    }

    func testTheSingleSafetensorsFileIsPreferredToShardsAndPicklesAreRefused() throws {
        let base = ["config.json", "vocab.json", "merges.txt", "tokenizer.json", "README.md", "flax_model.msgpack"].map { file($0) }
        let both = try CheckpointFileSelection(listing: base + [file("model.safetensors"), file("model.safetensors.index.json"), file("pytorch_model.bin")],
                                               repository: "o/n", revision: "main")
        XCTAssertEqual(both.weights.path, "model.safetensors")
        XCTAssertFalse(both.isSharded)
        XCTAssertEqual(both.supportFiles.map(\.path), ["config.json", "vocab.json", "merges.txt", "tokenizer.json"])
        let sharded = try CheckpointFileSelection(listing: base + [file("model.safetensors.index.json")], repository: "o/n", revision: "main")
        XCTAssertTrue(sharded.isSharded)

        XCTAssertThrowsError(try CheckpointFileSelection(listing: base + [file("pytorch_model.bin"), file("tf_model.h5")], repository: "o/n", revision: "v1")) {
            XCTAssertEqual($0 as? ModelFetchError, .noSafetensors(repository: "o/n", revision: "v1", pickleFiles: ["pytorch_model.bin"]))
        }
        XCTAssertThrowsError(try CheckpointFileSelection(listing: [file("config.json"), file("vocab.json"), file("model.safetensors")], repository: "o/n", revision: "main")) {
            XCTAssertEqual($0 as? ModelFetchError, .missingFile(repository: "o/n", revision: "main", file: "merges.txt"))
        }
    }

    func testShardsComeFromTheIndexAndMustBePlainListedSafetensorsFiles() throws {
        let listing = [file("a.safetensors", 3), file("b.safetensors", 4)]
        let index = #"{"metadata": {}, "weight_map": {"x": "b.safetensors", "y": "a.safetensors", "z": "b.safetensors"}}"#
        XCTAssertEqual(try CheckpointFileSelection.shards(indexData: Data(index.utf8), indexURL: "i", listing: listing, repository: "o/n", revision: "main"),
                       listing)
        XCTAssertThrowsError(try CheckpointFileSelection.shards(indexData: Data(#"{"weight_map": {"x": "c.safetensors"}}"#.utf8), indexURL: "i",
                                                                 listing: listing, repository: "o/n", revision: "main")) {
            XCTAssertEqual($0 as? ModelFetchError, .missingFile(repository: "o/n", revision: "main", file: "c.safetensors"))
        }
        for bad in [#"{"weight_map": {"x": "../a.safetensors"}}"#, #"{"weight_map": {"x": "a.bin"}}"#, #"{"weight_map": {}}"#, "[]"] {
            XCTAssertThrowsError(try CheckpointFileSelection.shards(indexData: Data(bad.utf8), indexURL: "i", listing: listing, repository: "o/n", revision: "main"), bad) {
                guard case .badListing(url: "i", _) = $0 as? ModelFetchError else { return XCTFail("\($0)") }
            }
        }
    }

    func testAContentRangeGivesItsFirstByte() {
        XCTAssertEqual(FetchSession.contentRangeStart("bytes 100-999/1000"), 100)
        XCTAssertNil(FetchSession.contentRangeStart("bytes */1000"))
        XCTAssertNil(FetchSession.contentRangeStart(nil))
    }
}
