import Foundation

/// The reference normalizer: `Sequence([NFC(), Replace(Regex("\s+"), " "), Lowercase()])`.
///
/// Applied to each stretch of text between literal special tokens, never across them, as
/// `tokenizers` does for added tokens that are not normalized.
enum TextNormalizer {
    /// Normalizes `scalars` and returns the result as scalars.
    static func normalize(_ scalars: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(scalars.count)
        var previousWasSpace = false
        for scalar in composed(scalars) {
            switch ScalarClass(scalar) {
            case .whitespace:
                // `\s+` → " ": a run of any White_Space scalars becomes one U+0020.
                if !previousWasSpace { output.append(" ") }
                previousWasSpace = true
                continue
            default:
                previousWasSpace = false
            }
            appendLowercased(scalar, to: &output)
        }
        return output
    }

    /// NFC of `scalars`. Text made only of scalars below U+0300 is already NFC: every scalar
    /// there is NFC-stable and nothing composes with a preceding scalar unless it is a
    /// combining mark, Hangul jamo or similar, all of which lie at U+0300 or above.
    private static func composed(_ scalars: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        guard scalars.contains(where: { $0.value >= 0x300 }) else { return Array(scalars) }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return Array(String(view).precomposedStringWithCanonicalMapping.unicodeScalars)
    }

    /// Appends the full lowercase mapping of `scalar` (per scalar, without the context rules
    /// such as final sigma, as Rust's `char::to_lowercase` in `tokenizers` does).
    private static func appendLowercased(_ scalar: Unicode.Scalar, to output: inout [Unicode.Scalar]) {
        let value = scalar.value
        if value < 0x80 {
            // ASCII: A–Z map to a–z by setting bit 5; everything else is unchanged.
            if (0x41...0x5A).contains(value), let lower = Unicode.Scalar(value | 0x20) {
                output.append(lower)
            } else {
                output.append(scalar)
            }
            return
        }
        let properties = scalar.properties
        if properties.changesWhenLowercased {
            output.append(contentsOf: properties.lowercaseMapping.unicodeScalars)
        } else {
            output.append(scalar)
        }
    }
}
