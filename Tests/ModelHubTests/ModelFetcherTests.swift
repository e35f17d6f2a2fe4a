import Foundation
import STClipModelHub
import XCTest

/// `ModelFetcher` against a hub on loopback serving the tiny fixture checkpoints.
final class ModelFetcherTests: XCTestCase {
    var hub: HubFixtureServer!
    var target: URL!

    override func setUpWithError() throws {
        hub = try HubFixtureServer([try FixtureRepositories.tinyCLIP()])
        target = FileManager.default.temporaryDirectory.appendingPathComponent("stclip-fetch-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        hub.stop()
        try? FileManager.default.removeItem(at: target)
    }

    /// A configuration for the loopback hub that does not wait between tries.
    func configuration(maxAttempts: Int = 3, token: String? = nil, readTimeout: Double = 10) -> HubConfiguration {
        HubConfiguration(endpoint: hub.endpoint, token: token, maxAttempts: maxAttempts, retryDelay: 0,
                         connectTimeout: 5, readTimeout: readTimeout)
    }

    func fetch(_ repository: String = "test/tiny-clip", revision: String = "main", configuration: HubConfiguration? = nil)
        async throws(ModelFetchError) -> FetchResult {
        let configuration = configuration ?? self.configuration()
        let reference = try HubReference(endpoint: configuration.endpoint, repository: repository, revision: revision)
        return try await ModelFetcher(configuration: configuration).fetch(reference, to: target.path)
    }

    /// Runs `body`, which must throw a `ModelFetchError`, and returns it.
    func fetchError(_ body: () async throws(ModelFetchError) -> FetchResult, file: StaticString = #filePath, line: UInt = #line) async -> ModelFetchError? {
        do {
            let result = try await body()
            XCTFail("expected an error, got \(result)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func targetFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: target.path).sorted()
    }

    func assertSameAsFixture(_ names: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        for name in names {
            XCTAssertEqual(try Data(contentsOf: target.appendingPathComponent(name)), try FixtureRepositories.tinyCLIPFile(name),
                           "\(name) differs from the fixture", file: file, line: line)
        }
    }

    static let tinyCLIPFiles = ["config.json", "merges.txt", "model.safetensors", "preprocessor_config.json",
                                "tokenizer.json", "tokenizer_config.json", "vocab.json"]

    // MARK: - Whole downloads

    func testFetchesTheCheckpointFilesOnlyVerifiedAndLoadable() async throws {
        let result = try await fetch()
        XCTAssertEqual(try targetFiles(), Self.tinyCLIPFiles, "config, tokenizer, preprocessing and safetensors weights; not README.md or reference.*")
        try assertSameAsFixture(Self.tinyCLIPFiles)
        XCTAssertEqual(result.modelType, "clip")
        XCTAssertEqual(result.commit, "0123456789abcdef0123456789abcdef01234567")
        XCTAssertEqual(result.files.first?.path, "config.json", "config.json comes first, to check model_type early")
        XCTAssertEqual(Set(result.files.map(\.outcome)), [.downloaded])
        let weights = try XCTUnwrap(result.files.first { $0.path == "model.safetensors" })
        XCTAssertEqual(weights.checksum, .sha256(HubFixtureServer.sha256(try FixtureRepositories.tinyCLIPFile("model.safetensors"))))
        let vocab = try XCTUnwrap(result.files.first { $0.path == "vocab.json" })
        XCTAssertEqual(vocab.checksum.algorithm, "git-sha1")
        XCTAssertEqual(result.downloadedBytes, result.files.reduce(0) { $0 + $1.size })
        let downloads = hub.requests.filter { $0.uri.contains("/resolve/") }
        XCTAssertTrue(downloads.allSatisfy { $0.uri.contains("/resolve/0123456789abcdef0123456789abcdef01234567/") },
                      "every file is fetched from the commit the revision resolved to")
    }

    func testASecondFetchKeepsTheVerifiedFilesWithoutDownloadingThem() async throws {
        _ = try await fetch()
        let before = hub.requests.count
        let again = try await fetch()
        XCTAssertEqual(Set(again.files.map(\.outcome)), [.present])
        XCTAssertEqual(again.downloadedBytes, 0)
        XCTAssertTrue(hub.requests[before...].allSatisfy { !$0.uri.contains("/resolve/") }, "only the revision and the listing were asked for")
    }

    func testAStaleFileUnderAFinalNameIsReplaced() async throws {
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try Data("{\"model_type\": \"clip\"}".utf8).write(to: target.appendingPathComponent("config.json"))
        let result = try await fetch()
        XCTAssertEqual(result.files.first { $0.path == "config.json" }?.outcome, .downloaded)
        try assertSameAsFixture(["config.json"])
    }

    func testShardedWeightsAreFetchedThroughTheirIndexAndAPagedListing() async throws {
        hub.add(try FixtureRepositories.shardedTinyCLIP())
        hub.pageListings(by: 3)
        let result = try await fetch("test/tiny-clip-sharded")
        XCTAssertEqual(result.files.map(\.path).filter { $0.hasPrefix("model") },
                       ["model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"])
        XCTAssertFalse(try targetFiles().contains("model.safetensors"))
        XCTAssertGreaterThan(hub.requests.filter { $0.uri.contains("/tree/") }.count, 3, "the listing came in pages")
    }

    // MARK: - Resuming

    func testAConnectionCutMidFileIsResumedWithARangeRequest() async throws {
        hub.cutNextDownload(of: "model.safetensors", after: 100_000)
        let result = try await fetch()
        XCTAssertEqual(result.files.first { $0.path == "model.safetensors" }?.outcome, .resumed)
        XCTAssertEqual(hub.downloads(of: "model.safetensors").map(\.range), [nil, "bytes=100000-"])
        try assertSameAsFixture(Self.tinyCLIPFiles)
        XCTAssertFalse(try targetFiles().contains { $0.hasSuffix(".partial") })
    }

    func testAnInterruptedRunLeavesOnlyAPartialFileThatTheNextRunResumes() async throws {
        hub.cutNextDownload(of: "model.safetensors", after: 100_000)
        let error = await fetchError { () async throws(ModelFetchError) in try await self.fetch(configuration: self.configuration(maxAttempts: 1)) }
        guard case let .network(url, reason) = error else { return XCTFail("expected a network error, got \(String(describing: error))") }
        XCTAssertTrue(url.hasSuffix("/model.safetensors"), url)
        XCTAssertTrue(reason.contains("100000 of 586236 bytes"), reason)
        XCTAssertFalse(try targetFiles().contains("model.safetensors"), "nothing half-written under the final name")
        let partial = target.appendingPathComponent("model.safetensors.partial")
        XCTAssertEqual(try Data(contentsOf: partial), try FixtureRepositories.tinyCLIPFile("model.safetensors").prefix(100_000))

        let result = try await fetch()
        XCTAssertEqual(result.files.first { $0.path == "model.safetensors" }?.outcome, .resumed)
        XCTAssertEqual(hub.downloads(of: "model.safetensors").last?.range, "bytes=100000-")
        XCTAssertEqual(result.files.first { $0.path == "config.json" }?.outcome, .present)
        try assertSameAsFixture(Self.tinyCLIPFiles)
        XCTAssertFalse(FileManager.default.fileExists(atPath: partial.path))
    }

    func testAServerThatIgnoresRangeMakesTheDownloadStartOver() async throws {
        hub.cutNextDownload(of: "model.safetensors", after: 100_000)
        _ = await fetchError { () async throws(ModelFetchError) in try await self.fetch(configuration: self.configuration(maxAttempts: 1)) }
        hub.ignoreRange()
        let result = try await fetch()
        XCTAssertEqual(result.files.first { $0.path == "model.safetensors" }?.outcome, .downloaded)
        try assertSameAsFixture(["model.safetensors"])
    }

    func testAStalledServerTimesOutInsteadOfHanging() async throws {
        hub.stall("model.safetensors")
        let started = Date()
        let error = await fetchError { () async throws(ModelFetchError) in
            try await self.fetch(configuration: self.configuration(maxAttempts: 2, readTimeout: 0.5))
        }
        guard case let .network(_, reason) = error else { return XCTFail("expected a network error, got \(String(describing: error))") }
        XCTAssertTrue(reason.contains("read timeout"), reason)
        XCTAssertLessThan(Date().timeIntervalSince(started), 20)
        XCTAssertEqual(hub.downloads(of: "model.safetensors").count, 2, "tried again before giving up")
    }

    // MARK: - Verification

    func testACorruptedWeightByteFailsTheSHA256CheckAndIsRemoved() async throws {
        hub.corrupt("model.safetensors", at: 1000)
        let error = await fetchError { () async throws(ModelFetchError) in try await self.fetch() }
        guard case let .checksumMismatch(file, algorithm, expected, actual) = error else {
            return XCTFail("expected a checksum mismatch, got \(String(describing: error))")
        }
        XCTAssertEqual(file, "model.safetensors")
        XCTAssertEqual(algorithm, "sha256")
        XCTAssertEqual(expected, HubFixtureServer.sha256(try FixtureRepositories.tinyCLIPFile("model.safetensors")))
        var corrupted = try FixtureRepositories.tinyCLIPFile("model.safetensors")
        corrupted[1000] ^= 0xFF
        XCTAssertEqual(actual, HubFixtureServer.sha256(corrupted))
        XCTAssertFalse(try targetFiles().contains { $0.hasPrefix("model.safetensors") }, "neither the file nor its .partial is kept")
    }

    func testACorruptedSmallFileFailsTheGitBlobCheck() async throws {
        hub.corrupt("vocab.json", at: 10)
        let error = await fetchError { () async throws(ModelFetchError) in try await self.fetch() }
        guard case let .checksumMismatch(file, algorithm, expected, _) = error else {
            return XCTFail("expected a checksum mismatch, got \(String(describing: error))")
        }
        XCTAssertEqual(file, "vocab.json")
        XCTAssertEqual(algorithm, "git-sha1")
        XCTAssertEqual(expected, HubFixtureServer.gitBlobSHA1(try FixtureRepositories.tinyCLIPFile("vocab.json")))
        XCTAssertFalse(try targetFiles().contains { $0.hasPrefix("vocab.json") })
    }

    func testMoreBytesThanListedIsASizeMismatch() async throws {
        hub.appendExtraBytes(to: "merges.txt", count: 5)
        let size = try FixtureRepositories.tinyCLIPFile("merges.txt").count
        let error = await fetchError { () async throws(ModelFetchError) in try await self.fetch() }
        XCTAssertEqual(error, .sizeMismatch(file: "merges.txt", expected: size, received: size + 5))
        XCTAssertFalse(try targetFiles().contains { $0.hasPrefix("merges.txt") })
    }

    // MARK: - Refusals

    func testAPickleOnlyRepositoryIsRefusedWithoutDownloadingAnything() async throws {
        hub.add(try FixtureRepositories.pickleOnly())
        let error = await fetchError { () async throws(ModelFetchError) in try await self.fetch("test/pickle-only") }
        XCTAssertEqual(error, .noSafetensors(repository: "test/pickle-only", revision: "main", pickleFiles: ["pytorch_model.bin"]))
        XCTAssertTrue(hub.requests.allSatisfy { !$0.uri.contains("/resolve/") })
    }

    func testAnUnknownRepositoryOrRevisionIsA404() async throws {
        let unknown = await fetchError { () async throws(ModelFetchError) in try await self.fetch("test/no-such-model") }
        XCTAssertEqual(unknown, .httpStatus(url: "\(hub.endpoint)/api/models/test/no-such-model/revision/main", status: 404, hint: "Repository not found"))
        let revision = await fetchError { () async throws(ModelFetchError) in try await self.fetch(revision: "v9") }
        XCTAssertEqual(revision, .httpStatus(url: "\(hub.endpoint)/api/models/test/tiny-clip/revision/v9", status: 404, hint: "Invalid rev id: v9"))
    }

    func testARepositoryWithoutAVocabularyIsRefused() async throws {
        var files = try FixtureRepositories.files(of: FixtureRepositories.tinyCLIP)
        files["vocab.json"] = nil
        hub.add(.init(name: "test/no-vocab", files: files))
        let error = await fetchError { () async throws(ModelFetchError) in try await self.fetch("test/no-vocab") }
        XCTAssertEqual(error, .missingFile(repository: "test/no-vocab", revision: "main", file: "vocab.json"))
    }

    func testAnUnsupportedModelTypeIsRefusedBeforeTheWeights() async throws {
        var files = try FixtureRepositories.files(of: FixtureRepositories.tinyCLIP)
        files["config.json"] = Data(#"{"model_type": "siglip"}"#.utf8)
        hub.add(.init(name: "test/siglip", files: files))
        let error = await fetchError { () async throws(ModelFetchError) in try await self.fetch("test/siglip") }
        XCTAssertEqual(error, .unsupportedModelType(repository: "test/siglip", modelType: "siglip"))
        XCTAssertTrue(hub.downloads(of: "model.safetensors").isEmpty)
    }

    func testWeightsThatDoNotFitTheConfigAreAnUnusableCheckpoint() async throws {
        var files = try FixtureRepositories.files(of: FixtureRepositories.tinyCLIP)
        files["config.json"] = try FixtureRepositories.files(of: FixtureRepositories.tinyXCLIP)["config.json"]
        hub.add(.init(name: "test/mismatched", files: files))
        let error = await fetchError { () async throws(ModelFetchError) in try await self.fetch("test/mismatched") }
        guard case let .unusableCheckpoint(directory, reason) = error else {
            return XCTFail("expected an unusable checkpoint, got \(String(describing: error))")
        }
        XCTAssertEqual(directory, target.path)
        XCTAssertFalse(reason.isEmpty)
    }

    func testASingleWeightsFileBesideShardsIsAConflict() async throws {
        hub.add(try FixtureRepositories.shardedTinyCLIP())
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try Data("old".utf8).write(to: target.appendingPathComponent("model.safetensors"))
        let error = await fetchError { () async throws(ModelFetchError) in try await self.fetch("test/tiny-clip-sharded") }
        guard case let .conflictingFile(path, _) = error else { return XCTFail("expected a conflict, got \(String(describing: error))") }
        XCTAssertEqual(path, target.appendingPathComponent("model.safetensors").path)
    }

    func testATargetThatIsAFileIsADiskError() async throws {
        try Data().write(to: target)
        let error = await fetchError { () async throws(ModelFetchError) in try await self.fetch() }
        XCTAssertEqual(error, .disk(path: target.path, reason: "exists and is not a directory"))
    }

    // MARK: - Tokens and redirects

    func testTheTokenGoesToTheHubButNotToTheContentServerItRedirectsTo() async throws {
        let content = try HubFixtureServer([try FixtureRepositories.tinyCLIP()])
        defer { content.stop() }
        hub.requireToken("hf_secret")
        hub.redirectLFS(to: content)
        _ = try await fetch(configuration: configuration(token: "hf_secret"))
        XCTAssertTrue(hub.requests.allSatisfy { $0.authorization == "Bearer hf_secret" })
        XCTAssertEqual(content.requests.map(\.uri), ["/cdn/test/tiny-clip/model.safetensors"])
        XCTAssertNil(content.requests[0].authorization, "the content server is another origin")
        try assertSameAsFixture(Self.tinyCLIPFiles)
    }

    func testWithoutTheTokenAGatedRepositoryIsA401() async throws {
        hub.requireToken("hf_secret")
        let error = await fetchError { () async throws(ModelFetchError) in try await self.fetch() }
        XCTAssertEqual(error, .httpStatus(url: "\(hub.endpoint)/api/models/test/tiny-clip/revision/main", status: 401,
                                          hint: "Invalid credentials in Authorization header"))
    }

    func testTheTokenIsNotSentToAURLOnAnotherHostThanHFEndpoint() async throws {
        let configuration = HubConfiguration(endpoint: "https://huggingface.co", token: "hf_secret", maxAttempts: 1, retryDelay: 0)
        let reference = try HubReference(parsing: "\(hub.endpoint)/test/tiny-clip", revision: nil, endpoint: configuration.endpoint)
        _ = try await ModelFetcher(configuration: configuration).fetch(reference, to: target.path)
        XCTAssertTrue(hub.requests.allSatisfy { $0.authorization == nil })
    }
}
