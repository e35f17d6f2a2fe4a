import Foundation
import Logging
import STClipPrompts

/// Everything `stclip serve` can be told: where to listen, which model, where label sets live,
/// who may call, and how much work to take on. `ServiceConfiguration.resolve` builds one from
/// flags, `STCLIP_*` environment variables and an optional JSON file; `validate()` checks it.
public struct ServiceConfiguration: Sendable, Equatable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// A Hugging Face style model directory. `nil` means the embedded default model, which does
    /// not ship yet: `validate()` then fails saying so.
    public var modelDirectory: String?
    /// Where the SQLite label store lives unless `labelsDatabase` says otherwise.
    public var dataDirectory: String
    /// An SQLite file path or a `postgres://` / `postgresql://` URL; `nil` means
    /// `<dataDirectory>/labels.sqlite`.
    public var labelsDatabase: String?
    /// Read-only label sets, one `NAME.json` file each; `nil` means `<model>/labelsets`.
    public var builtinLabelSetsDirectory: String?
    /// Bearer keys for inference; `nil` or empty leaves inference open.
    public var inferenceKeys: [String]?
    /// Bearer keys for label management; `nil` or empty leaves it open.
    public var adminKeys: [String]?
    /// Bearer keys for `GET /metrics`; `nil` or empty leaves metrics open.
    public var metricsKeys: [String]?
    /// Concurrent inference jobs (each on its own Dispatch worker).
    public var workers: Int
    /// Jobs that may wait for a worker; beyond it requests get 503 with `Retry-After`.
    public var queueDepth: Int = 8
    /// OpenBLAS threads per job; `nil` means cores / workers. workers × threads ≤ cores.
    public var blasThreads: Int?
    /// FFmpeg frame-threading width per decode.
    public var decoderThreads: Int = 1
    /// Largest request body; larger ones get 413.
    public var maxBodyBytes: Int = 256 << 20
    /// Seconds from a request's arrival until its answer is due; past it, 503.
    public var requestTimeout: Double = 120
    /// Seconds that in-flight requests get to finish after SIGTERM.
    public var shutdownGracePeriod: Double = 30
    /// Peers whose `X-Forwarded-For` is believed: addresses or CIDR blocks.
    public var trustedProxies: [String] = []
    /// swift-log level name (trace, debug, info, notice, warning, error, critical).
    public var logLevel: String = "info"
    /// The OpenAI-compatible chat-completions endpoint asked for the descriptions of classes
    /// registered without any (`STCLIP_LLM_BASE_URL`, `STCLIP_LLM_MODEL`, `STCLIP_LLM_API_KEY`,
    /// `STCLIP_LLM_TIMEOUT`); `nil`: none, and such classes are embedded from their templates.
    public var languageModel: LLMConfiguration?
    /// The most questions to the language model in flight at once, in this process.
    public var languageModelConcurrency: Int = 4
    /// The largest `languageModelConcurrency`: a PostgreSQL label store holds a connection per
    /// question being asked and may need one more to cache its answer, within the pool's 20.
    public static let maxLanguageModelConcurrency = 16
    /// Cores available to this process; bounds workers × BLAS threads.
    public var cores: Int = ProcessInfo.processInfo.activeProcessorCount

    public init(modelDirectory: String? = nil, dataDirectory: String = ServiceConfiguration.defaultDataDirectory,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.modelDirectory = modelDirectory
        self.dataDirectory = dataDirectory
        self.workers = workers
    }

    /// `$XDG_DATA_HOME/stclip`, else `~/.local/share/stclip`.
    public static var defaultDataDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/stclip" }
        return (environment["HOME"] ?? ".") + "/.local/share/stclip"
    }

    /// OpenBLAS threads per job after defaults: `blasThreads`, or cores / workers (at least 1).
    public var effectiveBLASThreads: Int { blasThreads ?? max(1, cores / max(1, workers)) }

    /// The label store URL after defaults.
    public var effectiveLabelsDatabase: String {
        labelsDatabase ?? URL(fileURLWithPath: dataDirectory).appendingPathComponent("labels.sqlite").path
    }

    /// The built-in label set directory after defaults (`nil` when there is no model either).
    public var effectiveBuiltinLabelSetsDirectory: String? {
        builtinLabelSetsDirectory ?? modelDirectory.map { URL(fileURLWithPath: $0).appendingPathComponent("labelsets").path }
    }

    /// Checks ranges and the rule workers × BLAS threads ≤ cores.
    public func validate() throws(ConfigurationError) {
        guard modelDirectory != nil else { throw .noDefaultModel }
        guard !host.isEmpty else { throw .invalid(key: "host", detail: "empty") }
        guard (0...65535).contains(port) else { throw .invalid(key: "port", detail: "\(port) is not a TCP port (0–65535)") }
        guard workers >= 1 else { throw .invalid(key: "workers", detail: "\(workers); at least 1") }
        guard queueDepth >= 0 else { throw .invalid(key: "queue_depth", detail: "\(queueDepth); at least 0") }
        guard effectiveBLASThreads >= 1 else { throw .invalid(key: "blas_threads", detail: "\(effectiveBLASThreads); at least 1") }
        guard workers * effectiveBLASThreads <= max(cores, 1) else {
            throw .invalid(key: "workers", detail: "\(workers) workers × \(effectiveBLASThreads) BLAS threads exceeds the \(cores) cores")
        }
        guard (1...Self.maxLanguageModelConcurrency).contains(languageModelConcurrency) else {
            throw .invalid(key: "llm_concurrency", detail: "\(languageModelConcurrency); 1 to \(Self.maxLanguageModelConcurrency)")
        }
        guard decoderThreads >= 1 else { throw .invalid(key: "decoder_threads", detail: "\(decoderThreads); at least 1") }
        guard maxBodyBytes >= 1 else { throw .invalid(key: "max_body_bytes", detail: "\(maxBodyBytes); at least 1") }
        guard requestTimeout > 0, requestTimeout <= 86400 else {
            throw .invalid(key: "request_timeout", detail: "\(requestTimeout) s; more than 0 and at most a day")
        }
        guard shutdownGracePeriod >= 0, shutdownGracePeriod <= 86400 else {
            throw .invalid(key: "shutdown_grace_period", detail: "\(shutdownGracePeriod) s; 0 to a day")
        }
        for proxy in trustedProxies where IPAddressRange(proxy) == nil {
            throw .invalid(key: "trusted_proxies", detail: "'\(proxy)' is not an IP address or CIDR block")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw .invalid(key: "log_level", detail: "'\(logLevel)'; one of trace, debug, info, notice, warning, error, critical")
        }
    }
}
