import Foundation
import STClipLabelSets

/// An evaluation list: one `path<TAB>label` per line. Blank lines and lines starting with `#` are
/// skipped; relative paths are relative to the list's directory; a label may be the class name or
/// its text in any case, with `_` for spaces (`LabelSet.index(of:)`).
struct EvalList {
    struct Item: Equatable {
        /// 1-based line number in the list.
        let line: Int
        /// The video's resolved path.
        let path: String
        /// The class's index in the label set.
        let label: Int
    }

    let items: [Item]

    /// Reads and checks the whole list; every bad line is reported at once.
    init(path: String, labelSet: LabelSet, fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) throws(EvalError) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadableList(path: path, detail: error.localizedDescription)
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        var items: [Item] = [], problems: [EvalError.Problem] = []
        // `isNewline` also splits at "\r\n", a single Character, as lists written on Windows end their lines.
        for (offset, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = offset + 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            guard let tab = line.firstIndex(of: "\t") else {
                problems.append(.init(line: number, kind: .noTab))
                continue
            }
            let file = String(line[..<tab]), label = line[line.index(after: tab)...].trimmingCharacters(in: .whitespaces)
            guard !file.isEmpty, !label.isEmpty else {
                problems.append(.init(line: number, kind: .emptyField))
                continue
            }
            let resolved = file.hasPrefix("/") ? file : base.appendingPathComponent(file).path
            let index = labelSet.index(of: label)
            if index == nil { problems.append(.init(line: number, kind: .unknownLabel(label))) }
            if !fileExists(resolved) { problems.append(.init(line: number, kind: .missingVideo(resolved))) }
            if let index { items.append(Item(line: number, path: resolved, label: index)) }
        }
        guard problems.isEmpty else { throw .invalidList(path: path, labelSet: labelSet.name, problems: problems) }
        guard !items.isEmpty else { throw .emptyList(path: path) }
        self.items = items
    }
}
