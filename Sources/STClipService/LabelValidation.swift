import Foundation

/// What label set names, labels and descriptions may be.
enum LabelValidation {
    static let maxLabels = 1000
    static let maxLabelLength = 200
    static let maxDescriptions = 32
    static let maxDescriptionLength = 1000

    /// 1–64 characters of `A–Z a–z 0–9 . _ -`, starting with a letter or digit.
    static func isValidSetName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64 else { return false }
        func allowed(_ s: Unicode.Scalar) -> Bool { s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s)) }
        return allowed(first) && name.unicodeScalars.allSatisfy { allowed($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }

    /// Throws `.invalidParameter` unless `name` is a valid label set name.
    static func checkSetName(_ name: String) throws(ServiceError) {
        guard isValidSetName(name) else {
            throw .invalidParameter("name", "'\(name.prefix(80))' is not a label set name (1–64 of A–Z a–z 0–9 . _ -, starting with a letter or digit)")
        }
    }

    /// A label: 1–200 characters, no control characters, no leading or trailing white space.
    static func checkLabel(_ label: String, field: String = "label") throws(ServiceError) {
        // Lengths count Unicode scalars, as JSON Schema's maxLength does.
        guard !label.isEmpty, label.unicodeScalars.count <= maxLabelLength else {
            throw ServiceError(.invalidBody, "\(field): must be 1–\(maxLabelLength) characters")
        }
        guard !label.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ServiceError(.invalidBody, "\(field): must not contain control characters")
        }
        guard label.trimmingCharacters(in: .whitespacesAndNewlines) == label else {
            throw ServiceError(.invalidBody, "\(field): must not start or end with white space")
        }
    }

    /// An entry's label and descriptions.
    static func validate(_ entry: LabelEntry, field: String = "label") throws(ServiceError) {
        try checkLabel(entry.label, field: field)
        guard entry.descriptions.count <= maxDescriptions else {
            throw ServiceError(.invalidBody, "descriptions of '\(entry.label)': at most \(maxDescriptions)")
        }
        for description in entry.descriptions {
            guard !description.isEmpty, description.unicodeScalars.count <= maxDescriptionLength,
                  !description.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" }) else {
                throw ServiceError(.invalidBody, "descriptions of '\(entry.label)': each must be 1–\(maxDescriptionLength) characters without control characters")
            }
        }
    }

    /// A whole set: at most 1000 labels, each valid, none twice.
    static func validate(_ labels: [LabelEntry]) throws(ServiceError) {
        guard labels.count <= maxLabels else { throw ServiceError(.invalidBody, "labels: at most \(maxLabels) per set, got \(labels.count)") }
        var seen = Set<String>()
        for (i, entry) in labels.enumerated() {
            try validate(entry, field: "labels[\(i)].label")
            guard seen.insert(entry.label).inserted else { throw ServiceError(.invalidBody, "labels: '\(entry.label)' appears more than once") }
        }
    }
}
