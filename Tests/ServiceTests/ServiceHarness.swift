import Foundation
import HTTPTypes
import Hummingbird
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import STClipService
import STClipVideo
import XCTest

/// Builds services for tests: the tiny CLIP fixture model (loaded once per run) or a scripted
/// engine, an SQLite label store in a fresh temporary directory, and a configuration.
enum ServiceHarness {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static let clipModel = fixtures.appendingPathComponent("clip/tiny-p32").path

    /// The tiny CLIP model, loaded once.
    static let clipEngine: ModelEngine = {
        do { return try ModelEngine(directory: clipModel, limits: VideoLimits(), decoderThreads: 1) } catch {
            fatalError("the tiny CLIP fixture does not load: \(error)")
        }
    }()

    static var logger: Logger {
        var logger = Logger(label: "stclip-test")
        logger.logLevel = ProcessInfo.processInfo.environment["STCLIP_TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        return logger
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stclip-svc-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A configuration for tests: loopback, port 0 (any free port), two workers of one BLAS
    /// thread, data in a fresh temporary directory.
    static func configuration(_ edit: (inout ServiceConfiguration) -> Void = { _ in }) -> ServiceConfiguration {
        var configuration = ServiceConfiguration(modelDirectory: clipModel, dataDirectory: temporaryDirectory().path, workers: 2)
        configuration.port = 0
        configuration.cores = 2
        configuration.blasThreads = 1
        edit(&configuration)
        return configuration
    }

    /// A ready service core with `engine` (the tiny CLIP model by default) and an SQLite store,
    /// or `store` when given.
    static func core(_ configuration: ServiceConfiguration = configuration(), engine: (any InferenceEngine)? = nil,
                     store: (any LabelStore)? = nil, builtins: [String: LabelSet] = [:],
                     defaultLabelSet: String? = nil) throws -> ServiceCore {
        let store = try store ?? SQLiteLabelStore(path: configuration.effectiveLabelsDatabase)
        return ServiceCore(configuration: configuration, state: ServiceState(engine: engine ?? clipEngine),
                           catalog: LabelCatalog(store: store, builtins: builtins, defaultName: defaultLabelSet), logger: logger)
    }

    /// The HTTP application over `core`.
    static func application(_ core: ServiceCore) -> some ApplicationProtocol {
        buildHTTPApplication(core: core)
    }
}

/// Request helpers shared by the tests.
extension TestClientProtocol {
    @discardableResult
    func json(_ method: HTTPRequest.Method, _ uri: String, _ body: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: body))
    }

    func classify(_ video: Data, query: String, contentType: String = "video/mp4", headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = contentType
        return try await execute(uri: "/v1/classify?" + query, method: .post, headers: headers, body: ByteBuffer(bytes: video))
    }
}

extension TestResponse {
    /// The body as a JSON object (empty when it is not one).
    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:] }

    /// The problem type's short name (`urn:stclip:problem:<name>`), when the body is a problem.
    var problem: String? {
        guard headers[.contentType] == "application/problem+json", let type = object["type"] as? String else { return nil }
        return type.hasPrefix("urn:stclip:problem:") ? String(type.dropFirst("urn:stclip:problem:".count)) : type
    }
}

/// `XCTAssertEqual` for values computed with `try await` (which XCTest's autoclosures refuse).
func expectEqual<T: Equatable>(_ actual: T, _ expected: T, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual, expected, message, file: file, line: line)
}
