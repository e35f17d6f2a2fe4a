/// A parsed `Content-Type` (or `Content-Disposition`) value: the lower-cased type and its
/// parameters, with quoted values unquoted.
struct HeaderValue: Sendable, Equatable {
    var value: String
    var parameters: [String: String]

    init(_ text: String) {
        var parts = Self.split(text)
        value = parts.isEmpty ? "" : parts.removeFirst().trimmingWhitespace().lowercased()
        var parameters: [String: String] = [:]
        for part in parts {
            guard let eq = part.firstIndex(of: "=") else { continue }
            let key = part[..<eq].trimmingWhitespace().lowercased()
            var v = part[part.index(after: eq)...].trimmingWhitespace()
            if v.count >= 2, v.first == "\"", v.last == "\"" {
                v = String(v.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            parameters[key] = v
        }
        self.parameters = parameters
    }

    /// Splits on `;` outside double quotes.
    private static func split(_ text: String) -> [Substring] {
        var parts: [Substring] = []
        var start = text.startIndex, quoted = false, i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "\"" { quoted.toggle() } else if c == ";" && !quoted {
                parts.append(text[start..<i])
                start = text.index(after: i)
            }
            i = text.index(after: i)
        }
        parts.append(text[start...])
        return parts
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
