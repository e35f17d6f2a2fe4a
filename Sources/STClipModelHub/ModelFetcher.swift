/// Downloads a Hugging Face checkpoint into a directory stclip loads (`stclip model fetch`).
///
/// The protocol is the hub's own, as `huggingface_hub` speaks it:
///
/// 1. `GET {endpoint}/api/models/{repo}/revision/{revision}` → the commit, so that every file
///    comes from one commit even if the branch moves during the download;
/// 2. `GET {endpoint}/api/models/{repo}/tree/{commit}` (following `Link: rel="next"` pages) →
///    each root file's size and checksum: `lfs.oid`, the SHA-256 of the content, for LFS files;
///    `oid`, git's blob SHA-1 of `"blob <size>\0" + content`, for the rest;
/// 3. `GET {endpoint}/{repo}/resolve/{commit}/{file}` → the bytes, usually by a redirect to a
///    content server; with `Range: bytes=N-` to resume.
///
/// Each file is written to `NAME.partial`, hashed as it streams, and renamed to `NAME` only once
/// its checksum matches, so a file under its final name is always complete and verified; a
/// broken download leaves only the `.partial` file, which the next run resumes. A file already
/// present with the right checksum is kept. Finally the directory is loaded as a model, so a
/// fetch that succeeds has produced a directory `stclip` runs.
public struct ModelFetcher: Sendable {
    /// The `model_type`s stclip runs.
    public static let supportedModelTypes = ["clip", "xclip", "stas-clip"]

    public let configuration: HubConfiguration

    public init(configuration: HubConfiguration) {
        self.configuration = configuration
    }

    /// Fetches `reference` into `directory` (created if needed).
    ///
    /// - Parameter progress: called as bytes arrive, on the fetching task.
    /// - Throws: `ModelFetchError`; see its cases.
    public func fetch(_ reference: HubReference, to directory: String,
                      progress: @escaping @Sendable (FetchProgress) -> Void = { _ in }) async throws(ModelFetchError) -> FetchResult {
        let client = HubClient(endpoint: reference.endpoint, token: configuration.token,
                               tokenEndpoint: configuration.endpoint, configuration: configuration)
        let session = FetchSession(client: client, configuration: configuration, reference: reference,
                                   directory: directory, progress: progress)
        do throws(ModelFetchError) {
            let result = try await session.run()
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }
}
