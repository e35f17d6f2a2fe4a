import Foundation

/// Reads class descriptions out of a language model's free-text answer: one per line or list item,
/// with bullets, numbering, preambles and reasoning blocks removed, long paragraphs cut into runs
/// of at most three sentences.
public enum DescriptionParser {
    /// The most descriptions kept from one answer.
    public static let maxDescriptions = 4
    /// The most sentences in one description.
    public static let maxSentences = 3

    /// The descriptions in `answer`, in order, without repeats; empty when there are none.
    public static func descriptions(in answer: String) -> [String] {
        var out: [String] = []
        for line in withoutReasoning(answer).components(separatedBy: .newlines) {
            let item = cleaned(line)
            // A line ending in a colon introduces a list ("Useful features include:") and says nothing itself.
            guard item.split(separator: " ").count >= 3, !item.hasSuffix(":") else { continue }
            let sentences = self.sentences(in: item)
            for start in stride(from: 0, to: sentences.count, by: maxSentences) {
                let text = sentences[start..<min(start + maxSentences, sentences.count)].joined(separator: " ")
                if !out.contains(text) { out.append(text) }
            }
        }
        return Array(out.prefix(maxDescriptions))
    }

    /// `answer` without `<think>…</think>` blocks, which reasoning models put before their answer.
    static func withoutReasoning(_ answer: String) -> String {
        var text = answer
        while let open = text.range(of: "<think>"), let close = text.range(of: "</think>", range: open.upperBound..<text.endIndex) {
            text.removeSubrange(open.lowerBound..<close.upperBound)
        }
        return text
    }

    /// A line without list markers, an "A:" prefix, Markdown emphasis or wrapping quotes, ending in a full stop.
    static func cleaned(_ line: String) -> String {
        var s = line.trimmingCharacters(in: .whitespaces)
        let markers = [#"^[-*•–]\s+"#, #"^\(?\d{1,2}[.):]\s*"#, #"^[Aa]:\s*"#]
        for pattern in markers {
            if let r = s.range(of: pattern, options: .regularExpression) { s.removeSubrange(r) }
        }
        s = s.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "__", with: "")
        s = s.trimmingCharacters(in: CharacterSet(charactersIn: "\"“”' ").union(.whitespaces))
        if let last = s.last, !".!?:".contains(last) { s += "." }
        return s
    }

    /// The sentences of `text`: split after `.`, `!` or `?` followed by a space and a capital letter or digit.
    static func sentences(in text: String) -> [String] {
        var result: [String] = [], current = ""
        let chars = Array(text)
        for (i, c) in chars.enumerated() {
            current.append(c)
            if ".!?".contains(c), i + 2 < chars.count, chars[i + 1] == " ", chars[i + 2].isUppercase || chars[i + 2].isNumber {
                result.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespaces)
        if !rest.isEmpty { result.append(rest) }
        return result
    }
}
