import Foundation

extension ModelSummary {
    /// The summary as aligned `key  value` lines for people, ending in a newline.
    public var report: String {
        var lines: [(String, String)] = [
            ("model", directory),
            ("family", family + (architectures.isEmpty ? "" : " (\(architectures.joined(separator: ", ")))")),
            ("vision", "\(Self.describe(vision.transformer)); patch \(vision.patchSize) on \(vision.imageSize)×\(vision.imageSize) frames (\(vision.patches) patches)"),
            ("text", "\(Self.describe(text.transformer)); vocabulary \(Self.grouped(text.vocabularySize)), context \(text.context)"),
            ("projection", "\(projectionDim)"),
            ("frames", frames.map(String.init) ?? "any: a video is the mean of its frames' embeddings"),
        ]
        switch family {
        case "xclip":
            var temporal = temporalTransformer.map { "multi-frame integration: \(Self.describe($0))" } ?? ""
            if let promptGeneratorLayers { temporal += "; prompt generator: \(Self.count(promptGeneratorLayers, "layer"))" }
            lines.append(("temporal", temporal))
        case "stas-clip":
            var temporal = communicationToken == true ? "\(temporalModeling ?? "none") on communication tokens" : "no communication tokens"
            temporal += temporalTransformer.map { "; end transformer: \(Self.describe($0))" } ?? "; no end transformer (mean of frames)"
            lines.append(("temporal", temporal))
            lines.append(("aux head", auxHead.map { "\($0) pooling" } ?? "none"))
        default:
            break
        }
        lines.append(("parameters", "\(Self.grouped(parameters)) (\(dtypes.joined(separator: ", ")))"))
        let weights = weightFiles.count == 1 ? weightFiles[0] : "\(weightFiles.count) shards"
        lines.append(("weights", "\(weights): \(Self.bytes(weightBytes))"))
        lines.append(("on disk", "\(Self.bytes(diskBytes)) in \(Self.count(fileCount, "file"))"))
        lines.append(("labels", auxLabels.isEmpty ? "none" : "\(Self.count(auxLabels.count, "aux label")): \(Self.list(auxLabels))"))
        for set in labelSets {
            lines.append(("label set", "\(set.name): \(Self.count(set.labels.count, "label"))" + (set.labels.isEmpty ? "" : ": \(Self.list(set.labels))")))
        }
        let width = lines.map(\.0.count).max()! + 2
        return lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n") + "\n"
    }

    private static func describe(_ t: TransformerSummary) -> String {
        "\(count(t.layers, "layer")), width \(t.width), \(count(t.heads, "head")), MLP \(t.intermediateSize)"
    }

    private static func count(_ n: Int, _ noun: String) -> String {
        "\(grouped(n)) \(noun)\(n == 1 ? "" : "s")"
    }

    /// The first eight items, then how many more.
    private static func list(_ items: [String]) -> String {
        let shown = items.prefix(8).joined(separator: ", ")
        return items.count > 8 ? "\(shown), … (\(items.count - 8) more)" : shown
    }

    /// `n` bytes with thousands separators, and in MiB.
    private static func bytes(_ n: Int) -> String {
        "\(grouped(n)) bytes (\(String(format: "%.1f", Double(n) / 1_048_576)) MiB)"
    }

    /// `n` with commas between groups of three digits, whatever the locale.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (n < 0 ? "-" : "") + out
    }
}
