import Foundation
import STClipPrompts
import STClipService
import XCTest

final class ServiceConfigurationTests: XCTestCase {
    func testDefaults() {
        let c = ServiceConfiguration(modelDirectory: "/m", dataDirectory: "/d", workers: 2)
        XCTAssertEqual(c.host, "127.0.0.1")
        XCTAssertEqual(c.port, 8080)
        XCTAssertEqual(c.maxBodyBytes, 256 << 20)
        XCTAssertEqual(c.effectiveLabelsDatabase, "/d/labels.sqlite")
        XCTAssertEqual(c.effectiveBuiltinLabelSetsDirectory, "/m/labelsets")
        XCTAssertNil(c.inferenceKeys)
    }

    func testEnvironment() throws {
        let settings = try ConfigurationSettings(environment: [
            "STCLIP_HOST": "0.0.0.0", "STCLIP_PORT": "9000", "STCLIP_MODEL": "/models/clip", "STCLIP_DATA": "/var/lib/stclip",
            "STCLIP_LABELS_DB": "postgres://u@db/labels", "STCLIP_INFERENCE_KEYS": " a, b ,,", "STCLIP_ADMIN_KEYS": "root",
            "STCLIP_WORKERS": "1", "STCLIP_QUEUE_DEPTH": "3", "STCLIP_MAX_BODY_BYTES": "1000", "STCLIP_REQUEST_TIMEOUT": "2.5",
            "STCLIP_TRUSTED_PROXIES": "10.0.0.0/8, ::1", "STCLIP_METRICS_KEYS": "",
        ])
        let c = settings.applied(to: ServiceConfiguration())
        XCTAssertEqual(c.host, "0.0.0.0")
        XCTAssertEqual(c.port, 9000)
        XCTAssertEqual(c.modelDirectory, "/models/clip")
        XCTAssertEqual(c.dataDirectory, "/var/lib/stclip")
        XCTAssertEqual(c.effectiveLabelsDatabase, "postgres://u@db/labels")
        XCTAssertEqual(c.inferenceKeys, ["a", "b"])
        XCTAssertEqual(c.adminKeys, ["root"])
        XCTAssertNil(c.metricsKeys, "an empty variable counts as unset")
        XCTAssertEqual(c.workers, 1)
        XCTAssertEqual(c.queueDepth, 3)
        XCTAssertEqual(c.maxBodyBytes, 1000)
        XCTAssertEqual(c.requestTimeout, 2.5)
        XCTAssertEqual(c.trustedProxies, ["10.0.0.0/8", "::1"])
        XCTAssertThrowsError(try ConfigurationSettings(environment: ["STCLIP_PORT": "eighty"])) { error in
            XCTAssertEqual(error as? ConfigurationError, .invalidEnvironment(name: "STCLIP_PORT", detail: "'eighty' is not an integer"))
        }
    }

    /// Flags over the environment over the config file over the defaults.
    func testPrecedence() throws {
        let file = ServiceHarness.temporaryDirectory().appendingPathComponent("stclip.json")
        try Data(#"{"port": 7000, "workers": 1, "model": "/from/file", "queue_depth": 5, "inference_keys": ["k"]}"#.utf8).write(to: file)
        var flags = ConfigurationSettings()
        flags.port = 7002
        let c = try ServiceConfiguration.resolve(flags: flags, configFile: nil,
                                                 environment: ["STCLIP_CONFIG": file.path, "STCLIP_PORT": "7001", "STCLIP_QUEUE_DEPTH": "6"])
        XCTAssertEqual(c.port, 7002)
        XCTAssertEqual(c.queueDepth, 6)
        XCTAssertEqual(c.workers, 1)
        XCTAssertEqual(c.modelDirectory, "/from/file")
        XCTAssertEqual(c.inferenceKeys, ["k"])
    }

    func testConfigFileErrorsNameTheProblem() throws {
        let directory = ServiceHarness.temporaryDirectory()
        func load(_ text: String) -> ConfigurationError? {
            let file = directory.appendingPathComponent("\(UUID()).json")
            try? Data(text.utf8).write(to: file)
            do { _ = try ConfigurationSettings.load(file: file.path); return nil } catch { return error }
        }
        XCTAssertEqual(load(#"{"prot": 1}"#).map(String.init(describing:))?.contains("unknown key 'prot'"), true)
        XCTAssertEqual(load(#"{"port": "x"}"#).map(String.init(describing:))?.contains("'port' has the wrong type"), true)
        XCTAssertEqual(load("[1]").map(String.init(describing:))?.contains("not a JSON object"), true)
        XCTAssertEqual(load("{").map(String.init(describing:))?.contains("not valid JSON"), true)
        XCTAssertThrowsError(try ConfigurationSettings.load(file: directory.appendingPathComponent("absent.json").path))
    }

    func testValidation() {
        func check(_ edit: (inout ServiceConfiguration) -> Void) -> ConfigurationError? {
            var c = ServiceConfiguration(modelDirectory: "/m", dataDirectory: "/d", workers: 2)
            c.cores = 4
            edit(&c)
            do { try c.validate(); return nil } catch { return error }
        }
        XCTAssertNil(check { _ in })
        XCTAssertEqual(check { $0.modelDirectory = nil }, .noDefaultModel)
        XCTAssertTrue(ConfigurationError.noDefaultModel.description.contains("STCLIP_MODEL"))
        XCTAssertEqual(check { $0.workers = 0 }.map { "\($0)" }?.contains("workers"), true)
        XCTAssertNil(check { $0.workers = 2; $0.blasThreads = 2 })
        XCTAssertEqual(check { $0.workers = 3; $0.blasThreads = 2 }.map { "\($0)" }?.contains("exceeds the 4 cores"), true)
        XCTAssertNil(check { $0.workers = 4 }, "one BLAS thread each by default")
        XCTAssertNotNil(check { $0.port = 70000 })
        XCTAssertNotNil(check { $0.queueDepth = -1 })
        XCTAssertNotNil(check { $0.maxBodyBytes = 0 })
        XCTAssertNotNil(check { $0.requestTimeout = 0 })
        XCTAssertNotNil(check { $0.requestTimeout = 1e30 })
        XCTAssertNotNil(check { $0.shutdownGracePeriod = .infinity })
        XCTAssertNotNil(check { $0.trustedProxies = ["10.0.0.0/40"] })
        XCTAssertNotNil(check { $0.logLevel = "loud" })
        XCTAssertEqual(check { $0.languageModelConcurrency = 0 }.map { "\($0)" }?.contains("llm_concurrency"), true)
        XCTAssertNotNil(check { $0.languageModelConcurrency = ServiceConfiguration.maxLanguageModelConcurrency + 1 })
        XCTAssertNil(check { $0.languageModelConcurrency = ServiceConfiguration.maxLanguageModelConcurrency })
    }

    /// The language model endpoint comes from `STCLIP_LLM_*` as `stclip describe` reads it; an
    /// unusable one stops the service from starting rather than fall back on every class.
    func testLanguageModelFromTheEnvironment() throws {
        let environment = ["STCLIP_MODEL": "/m", "STCLIP_LLM_BASE_URL": "http://127.0.0.1:9/v1", "STCLIP_LLM_MODEL": "small-llm",
                           "STCLIP_LLM_API_KEY": "sk-x", "STCLIP_LLM_TIMEOUT": "2.5", "STCLIP_LLM_CONCURRENCY": "3"]
        let c = try ServiceConfiguration.resolve(flags: ConfigurationSettings(), configFile: nil, environment: environment)
        XCTAssertEqual(c.languageModel, LLMConfiguration(baseURL: URL(string: "http://127.0.0.1:9/v1")!, model: "small-llm", apiKey: "sk-x", timeout: 2.5))
        XCTAssertEqual(c.languageModelConcurrency, 3)

        let unset = try ServiceConfiguration.resolve(flags: ConfigurationSettings(), configFile: nil, environment: ["STCLIP_MODEL": "/m"])
        XCTAssertNil(unset.languageModel)
        XCTAssertEqual(unset.languageModelConcurrency, 4)

        XCTAssertThrowsError(try ServiceConfiguration.resolve(flags: ConfigurationSettings(), configFile: nil,
                                                              environment: ["STCLIP_MODEL": "/m", "STCLIP_LLM_BASE_URL": "http://h/v1"])) { error in
            guard case .invalidLanguageModel(let detail)? = error as? ConfigurationError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("STCLIP_LLM_MODEL"), detail)
        }
        XCTAssertThrowsError(try ServiceConfiguration.resolve(flags: ConfigurationSettings(), configFile: nil,
                                                              environment: ["STCLIP_MODEL": "/m", "STCLIP_LLM_CONCURRENCY": "many"]))

        let file = ServiceHarness.temporaryDirectory().appendingPathComponent("stclip.json")
        try Data(#"{"model": "/m", "llm_concurrency": 8}"#.utf8).write(to: file)
        expectEqual(try ServiceConfiguration.resolve(flags: ConfigurationSettings(), configFile: file.path, environment: [:]).languageModelConcurrency, 8)
    }
}
