import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A Hugging Face hub on 127.0.0.1 (an ephemeral port) serving repositories from memory with the
/// hub's own routes, so that `stclip model fetch` can be tested without the internet:
///
/// - `GET /api/models/{org}/{name}/revision/{rev}` → `{"id", "sha"}`;
/// - `GET /api/models/{org}/{name}/tree/{rev}` → the root listing, `oid` being git's blob SHA-1
///   (of the LFS pointer for LFS files, whose content SHA-256 is `lfs.oid`), paged with
///   `Link: <…>; rel="next"` when `pageSize` is set;
/// - `GET /{org}/{name}/resolve/{rev}/{file}` → the bytes, honouring `Range: bytes=N-`; LFS files
///   are redirected to `/cdn/{org}/{name}/{file}` on `contentServer` when one is set, as the hub
///   sends them to its content servers.
///
/// Faults are switched on per test: a connection cut after N bytes, a corrupted byte, extra
/// bytes, a server that ignores `Range`, a stall, a required token.
final class HubFixtureServer: @unchecked Sendable {
    /// A repository: its files by name, at one commit.
    struct Repository {
        let name: String
        let commit: String
        let files: [String: Data]
        /// Names served as LFS files, as the hub stores weights.
        var lfs: Set<String> { Set(files.keys.filter { $0.hasSuffix(".safetensors") || $0.hasSuffix(".bin") }) }

        init(name: String, files: [String: Data], commit: String = "0123456789abcdef0123456789abcdef01234567") {
            self.name = name
            self.files = files
            self.commit = commit
        }
    }

    /// One request the server received.
    struct Request {
        let method: String
        let uri: String
        let headers: HTTPHeaders
        /// The `Range` header, if any.
        var range: String? { headers.first(name: "Range") }
        var authorization: String? { headers.first(name: "Authorization") }
    }

    let port: Int
    private let channel: Channel
    private let lock = NSLock()
    // Guarded by `lock`:
    private var repositories: [String: Repository] = [:]
    private var received: [Request] = []
    private var cuts: [String: Int] = [:]
    private var corruptions: [String: Int] = [:]
    private var extraBytes: [String: Int] = [:]
    private var stalls: Set<String> = []
    private var rangeIgnored = false
    private var token: String?
    private var content: String?
    private var page: Int?

    init(_ repositories: [Repository] = []) throws {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
        let box = ServerBox()
        channel = try bootstrap.childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                try channel.pipeline.syncOperations.addHandler(HubFixtureHandler(server: box.server))
            }
        }.bind(host: "127.0.0.1", port: 0).wait()
        port = channel.localAddress!.port!
        for repository in repositories { self.repositories[repository.name] = repository }
        box.server = self
    }

    /// Closes the listening socket; connections in progress finish.
    func stop() { try? channel.close().wait() }

    /// `http://127.0.0.1:PORT`, the endpoint to give the fetcher.
    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The requests answered so far, in order.
    var requests: [Request] { lock.withLock { received } }

    /// Requests for `file`'s bytes (resolve or content server).
    func downloads(of file: String) -> [Request] {
        requests.filter { $0.uri.hasSuffix("/" + file) && ($0.uri.contains("/resolve/") || $0.uri.hasPrefix("/cdn/")) }
    }

    func add(_ repository: Repository) { lock.withLock { repositories[repository.name] = repository } }
    /// The next response with `file`'s bytes stops after `bytes` bytes and closes the connection.
    func cutNextDownload(of file: String, after bytes: Int) { lock.withLock { cuts[file] = bytes } }
    /// Every response with `file`'s bytes has the byte at `offset` flipped.
    func corrupt(_ file: String, at offset: Int) { lock.withLock { corruptions[file] = offset } }
    /// Every response with `file`'s bytes carries `count` bytes more than the file has.
    func appendExtraBytes(to file: String, count: Int) { lock.withLock { extraBytes[file] = count } }
    /// Responses with `file`'s bytes send their head and then nothing.
    func stall(_ file: String) { lock.withLock { _ = stalls.insert(file) } }
    /// Byte downloads answer 200 with the whole file whatever `Range` asks.
    func ignoreRange() { lock.withLock { rangeIgnored = true } }
    /// Hub routes (not the content server) answer 401 without `Authorization: Bearer token`.
    func requireToken(_ value: String) { lock.withLock { token = value } }
    /// LFS downloads are redirected to `server`'s `/cdn/` route.
    func redirectLFS(to server: HubFixtureServer) { lock.withLock { content = server.endpoint } }
    /// Tree listings are paged, `size` entries a page.
    func pageListings(by size: Int) { lock.withLock { page = size } }
    func clearFaults() {
        lock.withLock {
            cuts = [:]; corruptions = [:]; extraBytes = [:]; stalls = []; rangeIgnored = false
        }
    }

    // MARK: - Answers

    /// What to send for `request`.
    enum Answer {
        case json(HTTPResponseStatus, Any, HTTPHeaders)
        case status(HTTPResponseStatus, HTTPHeaders)
        /// `body` bytes of a response whose head promises `length`; the connection closes after
        /// them when `cut`, and nothing is sent after the head when `stall`.
        case bytes(HTTPResponseStatus, HTTPHeaders, body: Data, cut: Bool, stall: Bool)
    }

    func answer(_ request: Request) -> Answer {
        lock.withLock { received.append(request) }
        let (path, query) = Self.split(request.uri)
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { $0.removingPercentEncoding ?? String($0) }
        if parts.first == "cdn", parts.count == 4 {
            return file(repository: parts[1] + "/" + parts[2], name: parts[3], request: request, viaHub: false)
        }
        if let required = lock.withLock({ token }), request.authorization != "Bearer \(required)" {
            return .status(.unauthorized, ["X-Error-Code": "RepoNotFound", "X-Error-Message": "Invalid credentials in Authorization header"])
        }
        if parts.count == 6, parts[0] == "api", parts[1] == "models" {
            let name = parts[2] + "/" + parts[3]
            guard let repository = lock.withLock({ repositories[name] }) else { return Self.notFound("RepoNotFound", "Repository not found") }
            guard parts[5] == "main" || parts[5] == repository.commit else { return Self.notFound("RevisionNotFound", "Invalid rev id: \(parts[5])") }
            switch parts[4] {
            case "revision": return .json(.ok, ["id": name, "sha": repository.commit], [:])
            case "tree": return tree(repository, cursor: query["cursor"].flatMap { Int($0) } ?? 0, path: path)
            default: break
            }
        }
        if parts.count == 5, parts[2] == "resolve" {
            let name = parts[0] + "/" + parts[1]
            guard let repository = lock.withLock({ repositories[name] }) else { return Self.notFound("RepoNotFound", "Repository not found") }
            guard parts[3] == "main" || parts[3] == repository.commit else { return Self.notFound("RevisionNotFound", "Invalid rev id: \(parts[3])") }
            if repository.lfs.contains(parts[4]), let content = lock.withLock({ content }) {
                return .status(.found, ["Location": "\(content)/cdn/\(name)/\(parts[4])"])
            }
            return file(repository: name, name: parts[4], request: request, viaHub: true)
        }
        return Self.notFound("EntryNotFound", "No such route")
    }

    private func tree(_ repository: Repository, cursor: Int, path: String) -> Answer {
        var entries: [[String: Any]] = repository.files.keys.sorted().map { name in
            let data = repository.files[name]!
            guard repository.lfs.contains(name) else {
                return ["type": "file", "path": name, "size": data.count, "oid": Self.gitBlobSHA1(data)]
            }
            let sha256 = Self.hex(SHA256.hash(data: data))
            let pointer = Data("version https://git-lfs.github.com/spec/v1\noid sha256:\(sha256)\nsize \(data.count)\n".utf8)
            return ["type": "file", "path": name, "size": data.count, "oid": Self.gitBlobSHA1(pointer),
                    "lfs": ["oid": sha256, "size": data.count, "pointerSize": pointer.count]]
        }
        // A folder, which the fetcher skips: the hub lists folders beside files.
        entries.append(["type": "directory", "path": "samples", "size": 0, "oid": String(repeating: "a", count: 40)])
        guard let size = lock.withLock({ page }) else { return .json(.ok, entries, [:]) }
        let slice = Array(entries[min(cursor, entries.count)..<min(cursor + size, entries.count)])
        var headers: HTTPHeaders = [:]
        if cursor + size < entries.count { headers.add(name: "Link", value: "<\(endpoint)\(path)?cursor=\(cursor + size)>; rel=\"next\"") }
        return .json(.ok, slice, headers)
    }

    private func file(repository name: String, name file: String, request: Request, viaHub: Bool) -> Answer {
        guard let repository = lock.withLock({ repositories[name] }), var data = repository.files[file] else {
            return Self.notFound("EntryNotFound", "\(file) does not exist")
        }
        let (cut, corruption, extra, stall, ignoreRange) = lock.withLock {
            let cut = cuts.removeValue(forKey: file)
            return (cut, corruptions[file], extraBytes[file], stalls.contains(file), rangeIgnored)
        }
        if let corruption { data[corruption] ^= 0xFF }
        if let extra { data.append(Data(repeating: 0x2A, count: extra)) }
        var start = 0
        var status = HTTPResponseStatus.ok
        var headers: HTTPHeaders = ["Content-Type": "application/octet-stream", "ETag": "\"\(Self.gitBlobSHA1(data))\""]
        if let range = request.range, !ignoreRange {
            guard range.hasPrefix("bytes="), range.hasSuffix("-"), let first = Int(range.dropFirst(6).dropLast()) else {
                return .status(.badRequest, [:])
            }
            guard first < data.count else { return .status(.rangeNotSatisfiable, ["Content-Range": "bytes */\(data.count)"]) }
            start = first
            status = .partialContent
            headers.add(name: "Content-Range", value: "bytes \(first)-\(data.count - 1)/\(data.count)")
        }
        let body = data.subdata(in: start..<data.count)
        headers.add(name: "Content-Length", value: "\(body.count)")
        if let cut { return .bytes(status, headers, body: body.prefix(cut), cut: true, stall: false) }
        return .bytes(status, headers, body: body, cut: false, stall: stall)
    }

    private static func notFound(_ code: String, _ message: String) -> Answer {
        .status(.notFound, ["X-Error-Code": code, "X-Error-Message": message])
    }

    private static func split(_ uri: String) -> (String, [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { query[kv[0]] = kv[1] }
        }
        return (String(uri[..<mark]), query)
    }

    /// git's blob id: SHA-1 of `"blob <size>\0" + data`.
    static func gitBlobSHA1(_ data: Data) -> String {
        var sha1 = Insecure.SHA1()
        sha1.update(data: Data("blob \(data.count)\0".utf8))
        sha1.update(data: data)
        return hex(sha1.finalize())
    }

    static func sha256(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    static func hex(_ digest: some Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }

    /// Lets the channel initializer reach the server, which exists only once the channel is bound.
    private final class ServerBox: @unchecked Sendable {
        weak var server: HubFixtureServer?
    }
}
