import Foundation

import STClipModels

/// Read-only label sets that come with the model: every `NAME.json` in a directory, holding the
/// body of a `PUT /v1/labelsets/NAME` (`{"labels": [...], "embedding_mode": "..."}`). They have
/// version 1 and cannot be changed through the API.
enum LabelSetDirectory {
    /// The sets in `directory`, by name; none when the directory does not exist.
    static func load(directory: String?) throws(ServiceStartupError) -> [String: LabelSet] {
        guard let directory, FileManager.default.fileExists(atPath: directory) else { return [:] }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw .builtinLabelSet("\(directory): cannot list the directory")
        }
        var sets: [String: LabelSet] = [:]
        for file in names.sorted() where file.hasSuffix(".json") {
            let name = String(file.dropLast(5))
            let path = URL(fileURLWithPath: directory).appendingPathComponent(file).path
            guard LabelValidation.isValidSetName(name) else {
                throw .builtinLabelSet("\(path): '\(name)' is not a valid label set name")
            }
            let body: LabelSetBody
            do { body = try JSONDecoder().decode(LabelSetBody.self, from: Data(contentsOf: URL(fileURLWithPath: path))) } catch {
                throw .builtinLabelSet("\(path): not a label set document ({\"labels\": [{\"label\": ...}]})")
            }
            do { try LabelValidation.validate(body.labels) } catch {
                throw .builtinLabelSet("\(path): \(error.detail)")
            }
            sets[name] = LabelSet(builtin: name, embeddingMode: body.embeddingMode ?? .name,
                                  classes: body.labels.map { ClassDefinition(name: $0.label, descriptions: $0.descriptions) })
        }
        return sets
    }
}
