import AsyncHTTPClient
import Foundation
import NIOCore
import STClipCheckpoint
import STClipModels

/// One run of `ModelFetcher.fetch`: resolves the revision to a commit, lists and chooses the
/// files, downloads each into the directory (resuming, verifying, renaming into place), and
/// finally loads the directory as a model.
final class FetchSession {
    private let client: HubClient
    private let configuration: HubConfiguration
    private let reference: HubReference
    private let directory: String
    private let progress: @Sendable (FetchProgress) -> Void

    private var commit = ""
    /// Sizes of the files finished so far, and of every file planned so far.
    private var completedBytes = 0, totalBytes = 0
    private var downloadedBytes = 0
    private var fetched: [FetchedFile] = []

    init(client: HubClient, configuration: HubConfiguration, reference: HubReference, directory: String,
         progress: @escaping @Sendable (FetchProgress) -> Void) {
        self.client = client
        self.configuration = configuration
        self.reference = reference
        self.directory = directory
        self.progress = progress
    }

    func run() async throws(ModelFetchError) -> FetchResult {
        try createDirectory()
        commit = try await resolveCommit()
        let listing = try await listFiles()
        let selection = try CheckpointFileSelection(listing: listing, repository: reference.repository, revision: reference.revision)
        if selection.isSharded, FileManager.default.fileExists(atPath: path(CheckpointFileSelection.weightsFileName)) {
            throw .conflictingFile(path: path(CheckpointFileSelection.weightsFileName),
                                   reason: "the repository's weights are sharded, and this file would be loaded instead of them; remove it or fetch into another directory")
        }

        // config.json first: a model_type stclip cannot run is refused before anything large is fetched.
        let config = selection.supportFiles[0]
        totalBytes = config.size
        try await fetch(config)
        let modelType = try checkModelType()

        var weights = [selection.weights]
        if selection.isSharded {
            totalBytes += selection.weights.size
            try await fetch(selection.weights)
            let index: Data
            do { index = try Data(contentsOf: URL(fileURLWithPath: path(selection.weights.path))) } catch {
                throw .disk(path: path(selection.weights.path), reason: "cannot read: \(error.localizedDescription)")
            }
            weights = try CheckpointFileSelection.shards(
                indexData: index, indexURL: reference.resolveURL(commit: commit, file: selection.weights.path),
                listing: listing, repository: reference.repository, revision: reference.revision)
        }
        let rest = Array(selection.supportFiles.dropFirst()) + weights
        totalBytes += rest.reduce(0) { $0 + $1.size }
        for file in rest { try await fetch(file) }

        do { _ = try LoadedModel.load(directory: directory) } catch {
            throw .unusableCheckpoint(directory: directory, reason: String(describing: error))
        }
        return FetchResult(reference: reference, commit: commit, directory: directory, modelType: modelType,
                           files: fetched, downloadedBytes: downloadedBytes)
    }

    // MARK: - Hub metadata

    /// The commit `reference.revision` points at, so that every file comes from the same one
    /// even if the branch moves meanwhile.
    private func resolveCommit() async throws(ModelFetchError) -> String {
        let url = reference.revisionURL
        let (data, _, finalURL) = try await withRetries { () async throws(ModelFetchError) in try await self.client.getData(url) }
        guard let info = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let sha = info["sha"] as? String, HubFile.isHex(sha, length: 40) else {
            throw .badListing(url: finalURL, reason: "no 40-digit commit \"sha\" for the revision")
        }
        return sha.lowercased()
    }

    /// The repository's root files at `commit`, over every page of the listing.
    private func listFiles() async throws(ModelFetchError) -> [HubFile] {
        var files: [HubFile] = []
        var next: String? = reference.treeURL(commit: commit)
        var pages = 0
        while let url = next {
            pages += 1
            guard pages <= 1000 else { throw .badListing(url: url, reason: "more than 1000 pages of files") }
            let (data, headers, finalURL) = try await withRetries { () async throws(ModelFetchError) in try await self.client.getData(url) }
            files += try HubFile.parseTree(data, url: finalURL)
            next = HubClient.nextLink(headers.first(name: "Link"))
                .flatMap { URL(string: $0, relativeTo: URL(string: finalURL))?.absoluteURL.absoluteString }
        }
        return files
    }

    /// `model_type` from the fetched `config.json`, which must be one stclip runs.
    private func checkModelType() throws(ModelFetchError) -> String {
        let modelType: String
        do { modelType = try JSONObject(contentsOf: path("config.json")).string("model_type") } catch {
            throw .unusableCheckpoint(directory: directory, reason: error.description)
        }
        guard ModelFetcher.supportedModelTypes.contains(modelType) else {
            throw .unsupportedModelType(repository: reference.repository, modelType: modelType)
        }
        return modelType
    }

    // MARK: - Files

    /// Puts `file` in the directory under its own name, verified: kept if already there with the
    /// right checksum, else downloaded into its `.partial` file (resuming what an earlier run
    /// left there), hashed as it streams, and renamed into place once the checksum matches.
    private func fetch(_ file: HubFile) async throws(ModelFetchError) {
        let finalPath = path(file.path)
        if let size = fileSize(finalPath), size == file.size,
           try ChecksumHasher.digest(ofFile: finalPath, checksum: file.checksum, size: file.size) == file.checksum.hex {
            finish(file, outcome: .present)
            return
        }
        let partial = try PartialFile(finalPath: finalPath)
        var hasher = ChecksumHasher(for: file.checksum, size: file.size)
        var resumed = false
        if partial.size > file.size {
            try partial.truncate()
        } else if partial.size > 0 {
            try partial.hashContents(into: &hasher)
            resumed = true
        }
        report(file, partial.size)

        let url = reference.resolveURL(commit: commit, file: file.path)
        var attempt = 1
        while partial.size < file.size {
            do throws(DownloadAttemptFailure) {
                try await downloadOnce(file, url: url, into: partial, hasher: &hasher, resumed: &resumed)
            } catch {
                switch error {
                case let .fatal(failure):
                    throw failure
                case let .transient(failure):
                    guard attempt < configuration.maxAttempts else { throw failure }
                    await pause(beforeAttempt: attempt + 1)
                    attempt += 1
                }
            }
        }
        let actual = hasher.finalize()
        guard actual == file.checksum.hex else {
            partial.discard()
            throw .checksumMismatch(file: file.path, algorithm: file.checksum.algorithm, expected: file.checksum.hex, actual: actual)
        }
        try partial.commit()
        finish(file, outcome: resumed ? .resumed : .downloaded)
    }

    /// One request for the bytes of `file` from what `partial` holds on. Returns when the body
    /// ends; the caller asks again while bytes are missing.
    private func downloadOnce(_ file: HubFile, url: String, into partial: PartialFile, hasher: inout ChecksumHasher,
                              resumed: inout Bool) async throws(DownloadAttemptFailure) {
        let offset = partial.size
        let got: (response: HTTPClientResponse, url: String)
        do throws(ModelFetchError) { got = try await client.get(url, from: offset) } catch {
            throw Self.classify(error)
        }
        let (response, finalURL) = got
        let status = Int(response.status.code)
        switch status {
        case 206:
            // Content-Range: bytes START-END/TOTAL, which must start where the file ends.
            guard Self.contentRangeStart(response.headers.first(name: "Content-Range")) == offset else {
                try restart(partial, &hasher, file)
                resumed = false
                throw .transient(.network(url: finalURL, reason: "the server answered a range not starting at byte \(offset)"))
            }
            if offset > 0 { resumed = true }
        case 200:
            // The server ignored the Range header and sends the whole file: start over.
            if offset > 0 {
                try restart(partial, &hasher, file)
                resumed = false
            }
        case 416 where offset > 0:
            try restart(partial, &hasher, file)
            resumed = false
            throw .transient(.httpStatus(url: finalURL, status: status, hint: "the server refused to resume at byte \(offset)"))
        default:
            let failure = client.statusError(response, url: finalURL)
            throw HubClient.isTransient(status: status) ? .transient(failure) : .fatal(failure)
        }

        do {
            for try await buffer in response.body {
                let count = buffer.readableBytes
                guard partial.size + count <= file.size else {
                    partial.discard()
                    throw DownloadAttemptFailure.fatal(.sizeMismatch(file: file.path, expected: file.size, received: partial.size + count))
                }
                try buffer.withUnsafeReadableBytes { bytes in
                    hasher.update(bytes)
                    try partial.append(bytes)
                }
                downloadedBytes += count
                report(file, partial.size)
            }
        } catch let failure as DownloadAttemptFailure {
            throw failure
        } catch let failure as ModelFetchError {
            throw .fatal(failure)
        } catch {
            throw .transient(.network(url: finalURL, reason: "\(HubClient.describe(error)) after \(partial.size) of \(file.size) bytes of \(file.path)"))
        }
        if partial.size < file.size {
            throw .transient(.network(url: finalURL, reason: "the body ended after \(partial.size) of \(file.size) bytes of \(file.path)"))
        }
    }

    /// Empties `partial` and restarts its hash, when the server will not continue where it stopped.
    private func restart(_ partial: PartialFile, _ hasher: inout ChecksumHasher, _ file: HubFile) throws(DownloadAttemptFailure) {
        do { try partial.truncate() } catch { throw .fatal(error) }
        hasher = ChecksumHasher(for: file.checksum, size: file.size)
        report(file, 0)
    }

    /// The first byte of a `Content-Range: bytes START-END/TOTAL` header.
    static func contentRangeStart(_ header: String?) -> Int? {
        guard let header, header.hasPrefix("bytes ") else { return nil }
        let range = header.dropFirst(6).split(separator: "/").first ?? ""
        return range.split(separator: "-").first.flatMap { Int($0) }
    }

    // MARK: - Retries, progress and paths

    /// Runs `body`, trying again while it fails in a way that may pass (see `classify`).
    private func withRetries<T>(_ body: () async throws(ModelFetchError) -> T) async throws(ModelFetchError) -> T {
        var attempt = 1
        while true {
            do throws(ModelFetchError) {
                return try await body()
            } catch {
                guard attempt < configuration.maxAttempts, case .transient = Self.classify(error) else { throw error }
                await pause(beforeAttempt: attempt + 1)
                attempt += 1
            }
        }
    }

    /// Network failures and 5xx/408/429 answers are transient; anything else is final.
    private static func classify(_ error: ModelFetchError) -> DownloadAttemptFailure {
        switch error {
        case .network: return .transient(error)
        case let .httpStatus(_, status, _) where HubClient.isTransient(status: status): return .transient(error)
        default: return .fatal(error)
        }
    }

    /// Waits `retryDelay`·2^(attempt−2) seconds before try `attempt`.
    private func pause(beforeAttempt attempt: Int) async {
        let seconds = configuration.retryDelay * Double(1 << min(attempt - 2, 10))
        if seconds > 0 { try? await Task.sleep(for: .milliseconds(Int(seconds * 1000))) }
    }

    private func report(_ file: HubFile, _ bytes: Int) {
        progress(FetchProgress(file: file.path, fileBytes: bytes, fileSize: file.size,
                               completedBytes: completedBytes + bytes, totalBytes: totalBytes))
    }

    private func finish(_ file: HubFile, outcome: FetchOutcome) {
        report(file, file.size)
        completedBytes += file.size
        fetched.append(FetchedFile(path: file.path, size: file.size, checksum: file.checksum, outcome: outcome))
    }

    private func createDirectory() throws(ModelFetchError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .disk(path: directory, reason: "exists and is not a directory") }
            return
        }
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw .disk(path: directory, reason: "cannot create the directory: \(error.localizedDescription)")
        }
    }

    private func fileSize(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
    }

    private func path(_ name: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent(name).path
    }
}
