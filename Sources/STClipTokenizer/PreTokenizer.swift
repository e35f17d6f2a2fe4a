/// The reference pre-tokenizer: a `Split` on
/// `<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`
/// that keeps the matches and drops the rest (whitespace), followed by GPT-2's `ByteLevel`
/// split regex.
///
/// Hand-written instead of a regex: at each position the alternatives are tried in order and
/// the first that matches wins (Oniguruma's leftmost-first rule), and the next match starts
/// where this one ended. The `ByteLevel` regex only changes one kind of piece: the literal
/// `<|startoftext|>` / `<|endoftext|>` (which only reach this stage when written in another
/// case, because exact ones are split off before normalization) is cut into `<|`, the word
/// and `|>`. Every other piece is already a single `ByteLevel` match.
enum PreTokenizer {
    private static let literals: [[Unicode.Scalar]] = [
        Array("<|startoftext|>".unicodeScalars),
        Array("<|endoftext|>".unicodeScalars),
    ]

    /// Calls `body` with each piece of normalized `text`, in order.
    static func forEachPiece(in text: [Unicode.Scalar], _ body: (ArraySlice<Unicode.Scalar>) -> Void) {
        let end = text.endIndex
        var index = text.startIndex
        while index < end {
            let scalar = text[index]
            if scalar == "<", let literal = literals.first(where: { text[index...].starts(with: $0) }) {
                // "<|", the word between the bars, "|>": the three ByteLevel pieces.
                let literalEnd = index + literal.count
                body(text[index..<(index + 2)])
                body(text[(index + 2)..<(literalEnd - 2)])
                body(text[(literalEnd - 2)..<literalEnd])
                index = literalEnd
                continue
            }
            if scalar == "'", let length = contractionLength(in: text, at: index) {
                body(text[index..<(index + length)])
                index += length
                continue
            }
            let kind = ScalarClass(scalar)
            switch kind {
            case .whitespace:
                // Not part of any match: dropped.
                index += 1
            case .number:
                // `[\p{N}]` takes a single scalar: every digit is its own piece.
                body(text[index..<(index + 1)])
                index += 1
            case .letter, .other:
                // `[\p{L}]+` and `[^\s\p{L}\p{N}]+` are greedy runs of one class. A run of
                // `other` does not stop at an apostrophe: "!'s" is "!'" then "s".
                var runEnd = index + 1
                while runEnd < end, ScalarClass(text[runEnd]) == kind { runEnd += 1 }
                body(text[index..<runEnd])
                index = runEnd
            }
        }
    }

    /// Length of the contraction `'s|'t|'re|'ve|'m|'ll|'d` starting at `index` (which holds
    /// an apostrophe), or nil. Matching is case-sensitive; the text is already lowercased.
    private static func contractionLength(in text: [Unicode.Scalar], at index: Int) -> Int? {
        let next = index + 1
        guard next < text.endIndex else { return nil }
        switch text[next] {
        case "s", "t", "m", "d":
            return 2
        case "r", "v", "l":
            let expected: Unicode.Scalar = text[next] == "l" ? "l" : "e"
            guard next + 1 < text.endIndex, text[next + 1] == expected else { return nil }
            return 3
        default:
            return nil
        }
    }
}
