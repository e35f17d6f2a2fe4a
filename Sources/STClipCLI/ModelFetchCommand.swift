import ArgumentParser
import Dispatch
import Foundation
import STClipModelHub

/// `stclip model fetch NAME|URL --to DIR [--revision REV]`: downloads a Hugging Face checkpoint,
/// verified and resumable, and checks that it loads.
struct ModelFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download a Hugging Face checkpoint (safetensors weights, config, tokenizer, preprocessing) into a directory.",
        discussion: """
            MODEL is ORG/NAME (openai/clip-vit-base-patch32, microsoft/xclip-base-patch32) on HF_ENDPOINT \
            (default https://huggingface.co), or a URL carrying its own host: https://HOST/ORG/NAME, or a link \
            from the hub's file browser, https://HOST/ORG/NAME/tree/REV (also .../blob/REV/FILE and \
            .../resolve/REV/FILE; the file part is ignored). HF_TOKEN is sent as a bearer token to HF_ENDPOINT's \
            host only. Files are checked against the hub's SHA-256 (LFS) or git blob SHA-1; an interrupted \
            download leaves FILE.partial, which the next run resumes. Repositories with only pickle weights \
            (pytorch_model.bin) are refused. Prints a JSON summary; a progress bar goes to stderr on a terminal.
            """)

    @Argument(help: "ORG/NAME or a hub URL.")
    var model: String

    @Option(help: "The directory to write (created if needed).")
    var to: String

    @Option(help: "Branch, tag or commit (default: the URL's, else main).")
    var revision: String?

    func run() throws {
        let configuration = HubConfiguration(environment: ProcessInfo.processInfo.environment)
        let reference = try CLIError.wrap { try HubReference(parsing: model, revision: revision, endpoint: configuration.endpoint) }
        let display = DownloadProgressDisplay()
        let outcome = Outcome()
        let directory = to
        // ParsableCommand's run is synchronous; the download runs on the concurrency pool meanwhile.
        let done = DispatchSemaphore(value: 0)
        Task {
            do throws(ModelFetchError) {
                outcome.set(.success(try await ModelFetcher(configuration: configuration)
                    .fetch(reference, to: directory) { display.report($0) }))
            } catch {
                outcome.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        display.finish()
        let result = try CLIError.wrap { try outcome.value.get() }
        try JSONOutput.print(Summary(result))
    }

    /// The JSON printed on success.
    private struct Summary: Encodable {
        struct File: Encodable {
            let name: String
            let size: Int
            let checksum: String
            let outcome: FetchOutcome
        }
        let repository: String
        let revision: String
        let commit: String
        let endpoint: String
        let directory: String
        let model_type: String
        let downloaded_bytes: Int
        let files: [File]

        init(_ r: FetchResult) {
            repository = r.reference.repository
            revision = r.reference.revision
            commit = r.commit
            endpoint = r.reference.endpoint
            directory = r.directory
            model_type = r.modelType
            downloaded_bytes = r.downloadedBytes
            files = r.files.map { File(name: $0.path, size: $0.size, checksum: "\($0.checksum.algorithm):\($0.checksum.hex)", outcome: $0.outcome) }
        }
    }

    /// The task's result, read after it has finished.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var result: Result<FetchResult, ModelFetchError>?   // guarded by `lock`

        func set(_ value: Result<FetchResult, ModelFetchError>) { lock.withLock { result = value } }

        /// The result; the semaphore the task signals after `set` orders this read after it.
        var value: Result<FetchResult, ModelFetchError> {
            guard let result = lock.withLock({ result }) else { preconditionFailure("read before the fetch task finished") }
            return result
        }
    }
}
