import ArgumentParser
import Dispatch
import Foundation
import STClipService
import Synchronization

/// `stclip serve`: the HTTP service. Flags override `STCLIP_*` environment variables, which
/// override the config file; see the README's "HTTP service" section.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve classification and label sets over HTTP.")

    @Option(help: "Address to listen on (STCLIP_HOST; default 127.0.0.1).")
    var host: String?
    @Option(help: "TCP port (STCLIP_PORT; default 8080; 0 picks a free one).")
    var port: Int?
    @Option(help: "Model directory (STCLIP_MODEL); default: the embedded default model.")
    var model: String?
    @Option(help: "Data directory for the SQLite label store (STCLIP_DATA; default $XDG_DATA_HOME/stclip).")
    var data: String?
    @Option(name: .customLong("labels-db"), help: "An SQLite file path or a postgres:// URL (STCLIP_LABELS_DB; default DATA/labels.sqlite).")
    var labelsDB: String?
    @Option(help: "A JSON config file (STCLIP_CONFIG).")
    var config: String?
    @Option(help: "Inference workers (STCLIP_WORKERS; default: the number of cores).")
    var workers: Int?
    @Option(name: .customLong("queue-depth"), help: "Requests that may wait for a worker (STCLIP_QUEUE_DEPTH; default 8).")
    var queueDepth: Int?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (STCLIP_LOG_LEVEL).")
    var logLevel: String?

    func run() throws {
        var flags = ConfigurationSettings()
        flags.host = host
        flags.port = port
        flags.model = model
        flags.data = data
        flags.labelsDB = labelsDB
        flags.workers = workers
        flags.queueDepth = queueDepth
        flags.logLevel = logLevel
        let configuration = try CLIError.wrap {
            try ServiceConfiguration.resolve(flags: flags, configFile: config, environment: ProcessInfo.processInfo.environment)
        }
        let logger = ProcessBootstrap.logging(level: configuration.logLevel)
        // The service runs on Swift concurrency's threads; this thread waits for it to stop.
        let failure = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                let application = try await buildApplication(configuration: configuration, logger: logger)
                ProcessBootstrap.metrics(for: application)
                try await application.run()
            } catch {
                failure.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) { throw CLIError(description: String(describing: error)) }
    }
}
