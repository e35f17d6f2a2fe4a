import Foundation

/// One layer of settings, every field optional: a JSON config file, the `STCLIP_*` environment,
/// or command-line flags. Layers are applied over the defaults in that order, so flags win.
public struct ConfigurationSettings: Sendable, Equatable, Decodable {
    public var host: String?
    public var port: Int?
    public var model: String?
    public var data: String?
    public var labelsDB: String?
    public var builtinLabelSets: String?
    public var inferenceKeys: [String]?
    public var adminKeys: [String]?
    public var metricsKeys: [String]?
    public var workers: Int?
    public var queueDepth: Int?
    public var blasThreads: Int?
    public var decoderThreads: Int?
    public var maxBodyBytes: Int?
    public var requestTimeout: Double?
    public var shutdownGracePeriod: Double?
    public var trustedProxies: [String]?
    public var logLevel: String?
    public var llmConcurrency: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, model, data, workers
        case labelsDB = "labels_db"
        case builtinLabelSets = "builtin_labelsets"
        case inferenceKeys = "inference_keys"
        case adminKeys = "admin_keys"
        case metricsKeys = "metrics_keys"
        case queueDepth = "queue_depth"
        case blasThreads = "blas_threads"
        case decoderThreads = "decoder_threads"
        case maxBodyBytes = "max_body_bytes"
        case requestTimeout = "request_timeout"
        case shutdownGracePeriod = "shutdown_grace_period"
        case trustedProxies = "trusted_proxies"
        case logLevel = "log_level"
        case llmConcurrency = "llm_concurrency"
    }

    public init() {}

    /// Settings from `STCLIP_HOST`, `STCLIP_PORT`, `STCLIP_MODEL`, `STCLIP_DATA`,
    /// `STCLIP_LABELS_DB`, `STCLIP_BUILTIN_LABELSETS`, `STCLIP_INFERENCE_KEYS`,
    /// `STCLIP_ADMIN_KEYS`, `STCLIP_METRICS_KEYS` (comma-separated), `STCLIP_WORKERS`,
    /// `STCLIP_QUEUE_DEPTH`, `STCLIP_BLAS_THREADS`, `STCLIP_DECODER_THREADS`,
    /// `STCLIP_MAX_BODY_BYTES`, `STCLIP_REQUEST_TIMEOUT`, `STCLIP_SHUTDOWN_GRACE_PERIOD`,
    /// `STCLIP_TRUSTED_PROXIES` (comma-separated), `STCLIP_LOG_LEVEL` and `STCLIP_LLM_CONCURRENCY`.
    /// Empty variables count as unset. (The language model's endpoint, `STCLIP_LLM_BASE_URL` and
    /// the rest, is read by `ServiceConfiguration.resolve` as `stclip describe` reads it.)
    public init(environment: [String: String]) throws(ConfigurationError) {
        func string(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        func list(_ name: String) -> [String]? {
            string(name).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        }
        func integer(_ name: String) throws(ConfigurationError) -> Int? {
            guard let text = string(name) else { return nil }
            guard let value = Int(text) else { throw .invalidEnvironment(name: name, detail: "'\(text)' is not an integer") }
            return value
        }
        func seconds(_ name: String) throws(ConfigurationError) -> Double? {
            guard let text = string(name) else { return nil }
            guard let value = Double(text), value.isFinite else { throw .invalidEnvironment(name: name, detail: "'\(text)' is not a number of seconds") }
            return value
        }
        host = string("STCLIP_HOST")
        port = try integer("STCLIP_PORT")
        model = string("STCLIP_MODEL")
        data = string("STCLIP_DATA")
        labelsDB = string("STCLIP_LABELS_DB")
        builtinLabelSets = string("STCLIP_BUILTIN_LABELSETS")
        inferenceKeys = list("STCLIP_INFERENCE_KEYS")
        adminKeys = list("STCLIP_ADMIN_KEYS")
        metricsKeys = list("STCLIP_METRICS_KEYS")
        workers = try integer("STCLIP_WORKERS")
        queueDepth = try integer("STCLIP_QUEUE_DEPTH")
        blasThreads = try integer("STCLIP_BLAS_THREADS")
        decoderThreads = try integer("STCLIP_DECODER_THREADS")
        maxBodyBytes = try integer("STCLIP_MAX_BODY_BYTES")
        requestTimeout = try seconds("STCLIP_REQUEST_TIMEOUT")
        shutdownGracePeriod = try seconds("STCLIP_SHUTDOWN_GRACE_PERIOD")
        trustedProxies = list("STCLIP_TRUSTED_PROXIES")
        logLevel = string("STCLIP_LOG_LEVEL")
        llmConcurrency = try integer("STCLIP_LLM_CONCURRENCY")
    }

    /// Settings from a JSON object with the keys of `CodingKeys` (`labels_db`, `queue_depth`, …);
    /// an unknown key is an error, so that a misspelt setting is not silently ignored.
    public static func load(file path: String) throws(ConfigurationError) -> ConfigurationSettings {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .invalidFile(path: path, detail: "cannot be read")
        }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw .invalidFile(path: path, detail: "not valid JSON")
        }
        guard let dictionary = object as? [String: Any] else { throw .invalidFile(path: path, detail: "not a JSON object") }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = dictionary.keys.sorted().first(where: { !known.contains($0) }) {
            throw .invalidFile(path: path, detail: "unknown key '\(unknown)'")
        }
        do { return try JSONDecoder().decode(ConfigurationSettings.self, from: data) } catch let DecodingError.typeMismatch(_, context) {
            throw .invalidFile(path: path, detail: "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch {
            throw .invalidFile(path: path, detail: "does not match the settings format")
        }
    }

    /// `configuration` with every setting this layer has replaced.
    public func applied(to configuration: ServiceConfiguration) -> ServiceConfiguration {
        var c = configuration
        if let host { c.host = host }
        if let port { c.port = port }
        if let model { c.modelDirectory = model }
        if let data { c.dataDirectory = data }
        if let labelsDB { c.labelsDatabase = labelsDB }
        if let builtinLabelSets { c.builtinLabelSetsDirectory = builtinLabelSets }
        if let inferenceKeys { c.inferenceKeys = inferenceKeys }
        if let adminKeys { c.adminKeys = adminKeys }
        if let metricsKeys { c.metricsKeys = metricsKeys }
        if let workers { c.workers = workers }
        if let queueDepth { c.queueDepth = queueDepth }
        if let blasThreads { c.blasThreads = blasThreads }
        if let decoderThreads { c.decoderThreads = decoderThreads }
        if let maxBodyBytes { c.maxBodyBytes = maxBodyBytes }
        if let requestTimeout { c.requestTimeout = requestTimeout }
        if let shutdownGracePeriod { c.shutdownGracePeriod = shutdownGracePeriod }
        if let trustedProxies { c.trustedProxies = trustedProxies }
        if let logLevel { c.logLevel = logLevel }
        if let llmConcurrency { c.languageModelConcurrency = llmConcurrency }
        return c
    }
}
