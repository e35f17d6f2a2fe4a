import Foundation

/// One file of a repository at a commit, as the hub lists it.
public struct HubFile: Sendable, Equatable {
    /// The path from the repository root; root files only, so a plain file name.
    public let path: String
    /// The content's size in bytes.
    public let size: Int
    /// What the content must hash to.
    public let checksum: HubChecksum

    public init(path: String, size: Int, checksum: HubChecksum) {
        self.path = path
        self.size = size
        self.checksum = checksum
    }

    /// The files of one page of `GET /api/models/{repo}/tree/{commit}`: a JSON array of
    /// `{"type": "file", "path", "size", "oid", "lfs": {"oid", "size", "pointerSize"}?}` and
    /// `{"type": "directory", …}` entries. Folders, and anything not at the root, are skipped.
    ///
    /// - Throws: `.badListing` naming `url` when the page is not such an array, or an entry's
    ///   size or checksum is missing or malformed.
    static func parseTree(_ data: Data, url: String) throws(ModelFetchError) -> [HubFile] {
        guard let entries = (try? JSONSerialization.jsonObject(with: data)) as? [Any] else {
            throw .badListing(url: url, reason: "not a JSON array of files")
        }
        var files: [HubFile] = []
        for case let entry as [String: Any] in entries {
            guard entry["type"] as? String == "file" else { continue }
            guard let path = entry["path"] as? String, !path.isEmpty else {
                throw .badListing(url: url, reason: "a file entry without a path")
            }
            guard isRootFileName(path) else { continue }
            let lfs = entry["lfs"] as? [String: Any]
            guard let size = ((lfs?["size"] ?? entry["size"]) as? NSNumber)?.intValue, size >= 0 else {
                throw .badListing(url: url, reason: "\(path) has no size")
            }
            let checksum: HubChecksum
            if let lfs {
                guard let oid = lfs["oid"] as? String, isHex(oid, length: 64) else {
                    throw .badListing(url: url, reason: "\(path): lfs.oid is not a SHA-256")
                }
                checksum = .sha256(oid.lowercased())
            } else {
                guard let oid = entry["oid"] as? String, isHex(oid, length: 40) else {
                    throw .badListing(url: url, reason: "\(path): oid is not a git blob id")
                }
                checksum = .gitBlobSHA1(oid.lowercased())
            }
            files.append(HubFile(path: path, size: size, checksum: checksum))
        }
        return files
    }

    /// Whether `name` is a plain file name that cannot point outside the directory it is written to.
    static func isRootFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\\") && !name.contains("\0")
    }

    static func isHex(_ text: String, length: Int) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }
    }
}
