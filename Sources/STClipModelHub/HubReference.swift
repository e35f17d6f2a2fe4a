import Foundation

/// A model repository on a Hugging Face style hub, and the revision to fetch.
///
/// Written as `ORG/NAME` (or a bare legacy `NAME`), looked up on the configured endpoint, or as a
/// URL that carries its own endpoint:
///
/// - `https://HOST[/PREFIX]/ORG/NAME` — a model page; the revision is `--revision` (default `main`);
/// - `https://HOST[/PREFIX]/ORG/NAME/tree/REV`, `.../blob/REV/FILE` or `.../resolve/REV/FILE` — a
///   link copied from the hub's file browser or a download link; the revision is `REV`
///   (percent-encoded when it has slashes, as the hub writes `refs%2Fpr%2F1`) and any file path
///   after it is ignored, since the whole checkpoint is fetched.
///
/// The endpoint of a URL is everything before `ORG/NAME`, so a mirror served under a path prefix
/// works as well as the hub itself.
public struct HubReference: Sendable, Equatable {
    /// The hub's base URL without a trailing slash, such as `https://huggingface.co`.
    public let endpoint: String
    /// `ORG/NAME`, or a bare `NAME`.
    public let repository: String
    /// A branch, tag or commit.
    public let revision: String

    /// The revision fetched when none is given.
    public static let defaultRevision = "main"

    /// A reference to `repository` at `revision` on `endpoint`, each checked.
    public init(endpoint: String, repository: String, revision: String) throws(ModelFetchError) {
        self.endpoint = try Self.checkedEndpoint(endpoint)
        if let problem = Self.repositoryProblem(repository) { throw .invalidReference(repository, reason: problem) }
        self.repository = repository
        guard Self.isValidRevision(revision) else {
            throw .invalidReference(repository, reason: "the revision '\(revision)' is empty or holds spaces or control characters")
        }
        self.revision = revision
    }

    /// Parses `reference`, a repository name or a URL (see the type's documentation).
    ///
    /// - Parameters:
    ///   - revision: `--revision`; nil means the URL's revision, else `main`. A URL naming another
    ///     revision is refused rather than silently overridden.
    ///   - endpoint: the endpoint for a repository name (`HF_ENDPOINT`); a URL brings its own.
    public init(parsing reference: String, revision: String?, endpoint: String) throws(ModelFetchError) {
        guard reference.contains("://") else {
            try self.init(endpoint: endpoint, repository: reference, revision: revision ?? Self.defaultRevision)
            return
        }
        guard let components = URLComponents(string: reference), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            throw .invalidReference(reference, reason: "not an http or https URL with a host")
        }
        guard components.query == nil, components.fragment == nil, components.user == nil, components.password == nil else {
            throw .invalidReference(reference, reason: "a model URL has no query, fragment or credentials")
        }
        // Percent-encoded path segments, decoded one by one so that an encoded slash stays inside its segment.
        let segments = components.percentEncodedPath.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        var repositoryEnd = segments.count
        var urlRevision: String?
        if let marker = segments.indices.first(where: { $0 >= 2 && ["tree", "blob", "resolve"].contains(segments[$0]) }) {
            guard marker + 1 < segments.count else {
                throw .invalidReference(reference, reason: "'\(segments[marker])' is not followed by a revision")
            }
            repositoryEnd = marker
            urlRevision = segments[marker + 1]
        }
        guard repositoryEnd >= 2 else {
            throw .invalidReference(reference, reason: "the path does not end in ORG/NAME")
        }
        if let urlRevision, let revision, urlRevision != revision {
            throw .invalidReference(reference, reason: "the URL names revision '\(urlRevision)' but --revision says '\(revision)'")
        }
        var base = "\(scheme)://\(host)"
        if let port = components.port { base += ":\(port)" }
        let prefix = components.percentEncodedPath.split(separator: "/").prefix(repositoryEnd - 2)
        if !prefix.isEmpty { base += "/" + prefix.joined(separator: "/") }
        try self.init(endpoint: base, repository: segments[repositoryEnd - 2] + "/" + segments[repositoryEnd - 1],
                      revision: urlRevision ?? revision ?? Self.defaultRevision)
    }

    /// `GET` → `{"sha": commit, …}`: the commit a revision points at.
    public var revisionURL: String {
        "\(endpoint)/api/models/\(repository)/revision/\(Self.encodeSegment(revision))"
    }

    /// `GET` → a JSON array of the files and folders at the repository's root at `commit`.
    public func treeURL(commit: String) -> String {
        "\(endpoint)/api/models/\(repository)/tree/\(Self.encodeSegment(commit))"
    }

    /// `GET` → the bytes of `file` at `commit` (often by a redirect to a content server).
    public func resolveURL(commit: String, file: String) -> String {
        "\(endpoint)/\(repository)/resolve/\(Self.encodeSegment(commit))/\(Self.encodePath(file))"
    }

    // MARK: - Checks and encoding

    private static func checkedEndpoint(_ endpoint: String) throws(ModelFetchError) -> String {
        var trimmed = endpoint
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil else {
            throw .invalidEndpoint(endpoint)
        }
        return trimmed
    }

    /// Why `repository` is not a hub repository id, or nil when it is one: one or two parts of
    /// letters, digits, `-`, `_` and `.`, each starting with a letter or digit, without `--` or
    /// `..`, at most 96 characters (the hub's own rules).
    static func repositoryProblem(_ repository: String) -> String? {
        let parts = repository.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return "a repository is ORG/NAME" }
        for part in parts {
            guard !part.isEmpty, part.count <= 96 else { return "each part of ORG/NAME has 1 to 96 characters" }
            guard part.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }),
                  part.first!.isLetter || part.first!.isNumber else {
                return "'\(part)' may hold only letters, digits, '-', '_' and '.', and starts with a letter or digit"
            }
            guard !part.contains("--"), !part.contains(".."), !part.hasSuffix(".") else {
                return "'\(part)' contains '--' or '..', or ends in '.'"
            }
        }
        return nil
    }

    private static func isValidRevision(_ revision: String) -> Bool {
        !revision.isEmpty && revision.unicodeScalars.allSatisfy { !CharacterSet.whitespacesAndNewlines.contains($0) && !CharacterSet.controlCharacters.contains($0) }
    }

    /// RFC 3986's unreserved characters: all that may stand unencoded in one path segment.
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// One path segment, with `/` encoded too (a revision such as `refs/pr/1`).
    static func encodeSegment(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: unreserved) ?? segment
    }

    /// A repository file path: each segment encoded, the slashes between them kept.
    static func encodePath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { encodeSegment(String($0)) }.joined(separator: "/")
    }
}
