import Foundation

/// Byte-level BPE with CLIP's end-of-word suffix, as `tokenizers`' `BPE` model with
/// `end_of_word_suffix="</w>"`, no continuing-subword prefix and no dropout.
///
/// A word (one pre-tokenized piece) starts as one symbol per UTF-8 byte, the last one
/// carrying `</w>`. Then the adjacent pair with the lowest merge rank (the leftmost among
/// equal ranks) is merged, repeatedly, until no adjacent pair has a merge rule.
struct BPE: Sendable {
    static let endOfWordSuffix = "</w>"

    /// Merge rules keyed by `pairKey(left, right)`.
    private let merges: [UInt64: (rank: Int, result: Int)]
    /// Initial symbol id of each byte inside a word, and at the end of a word.
    private let byteIDs: [Int]
    private let finalByteIDs: [Int]
    private let cache = BPECache()

    /// Words longer than this many bytes are not cached (they are rare and would crowd out
    /// the common short words).
    private static let maxCachedWordLength = 256

    /// Loads `merges.txt` against `vocabulary`. `unknownID` stands for a byte symbol missing
    /// from the vocabulary, as the unknown token does in `tokenizers`.
    init(vocabulary: Vocabulary, mergesFile url: URL, unknownID: Int) throws(TokenizerError) {
        merges = try Self.loadMerges(from: url, vocabulary: vocabulary)
        byteIDs = (0...255).map { vocabulary.ids[ByteEncoder.token(for: UInt8($0), endOfWord: false)] ?? unknownID }
        finalByteIDs = (0...255).map { vocabulary.ids[ByteEncoder.token(for: UInt8($0), endOfWord: true)] ?? unknownID }
    }

    /// Appends the token ids of one word (its UTF-8 bytes, not empty) to `output`.
    func encode(word: [UInt8], into output: inout [Int]) {
        if let cached = cache.ids(for: word) {
            output.append(contentsOf: cached)
            return
        }
        let ids = merge(word)
        if word.count <= Self.maxCachedWordLength { cache.store(ids, for: word) }
        output.append(contentsOf: ids)
    }

    private static func pairKey(_ left: Int, _ right: Int) -> UInt64 {
        // Ids are below 2^32 (checked when loading), so the pair packs into one integer.
        UInt64(truncatingIfNeeded: left) << 32 | UInt64(truncatingIfNeeded: right)
    }

    /// The merge loop of `tokenizers`' `Word::merge_all`: a priority queue of candidate
    /// merges, with candidates skipped once their pair no longer exists.
    private func merge(_ word: [UInt8]) -> [Int] {
        let count = word.count
        guard count > 0 else { return [] }
        var symbols = word.map { byteIDs[Int($0)] }
        symbols[count - 1] = finalByteIDs[Int(word[count - 1])]
        if count == 1 { return symbols }

        // Doubly linked list over the initial positions; a merged-away symbol is marked
        // removed and unlinked, the merged symbol keeps the left position.
        var next = Array(1...count)
        var previous = Array(-1..<(count - 1))
        var removed = [Bool](repeating: false, count: count)
        var queue = MergeQueue(capacity: count)

        func offer(_ position: Int, _ left: Int, _ right: Int) {
            if let rule = merges[Self.pairKey(left, right)] {
                queue.push(MergeCandidate(rank: rule.rank, position: position, left: left, right: right, result: rule.result))
            }
        }

        for position in 0..<(count - 1) { offer(position, symbols[position], symbols[position + 1]) }

        while let candidate = queue.popFirst() {
            let position = candidate.position
            guard !removed[position] else { continue }
            let rightPosition = next[position]
            guard rightPosition < count,
                  symbols[position] == candidate.left, symbols[rightPosition] == candidate.right else { continue }
            symbols[position] = candidate.result
            removed[rightPosition] = true
            let after = next[rightPosition]
            next[position] = after
            if after < count { previous[after] = position }
            let before = previous[position]
            if before >= 0 { offer(before, symbols[before], symbols[position]) }
            if after < count { offer(position, symbols[position], symbols[after]) }
        }

        var result: [Int] = []
        var position = 0
        while position < count {
            result.append(symbols[position])
            position = next[position]
        }
        return result
    }

    /// Parses `merges.txt`: an optional first line starting with `#version`, then one rule
    /// per line, `left right`, whose two tokens and their concatenation are all in the
    /// vocabulary. The rank of a rule is its index among the rules.
    private static func loadMerges(from url: URL, vocabulary: Vocabulary) throws(TokenizerError) -> [UInt64: (rank: Int, result: Int)] {
        let data = try TokenizerFile.data(at: url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw .malformedFile(path: url.path, detail: "not valid UTF-8")
        }
        // Split on "\n" at the scalar level: as Characters, "\r\n" is one grapheme.
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.last == "\r" ? String(String.UnicodeScalarView(line.dropLast())) : String(String.UnicodeScalarView(line))
        }
        // The newline that ends the last rule leaves one empty line behind.
        if lines.last?.isEmpty == true { lines.removeLast() }

        var rules: [UInt64: (rank: Int, result: Int)] = [:]
        rules.reserveCapacity(lines.count)
        var rank = 0
        for (index, line) in lines.enumerated() {
            if index == 0 && line.hasPrefix("#version") { continue }
            let parts = line.unicodeScalars.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw .malformedFile(path: url.path, detail: "line \(index + 1): expected two tokens separated by one space, got \(line.debugDescription)")
            }
            let left = String(String.UnicodeScalarView(parts[0])), right = String(String.UnicodeScalarView(parts[1]))
            guard let leftID = vocabulary.ids[left], let rightID = vocabulary.ids[right],
                  let resultID = vocabulary.ids[left + right] else {
                throw .malformedFile(path: url.path, detail: "line \(index + 1): \(line.debugDescription) uses or makes a token missing from the vocabulary")
            }
            guard leftID <= UInt32.max, rightID <= UInt32.max else {
                throw .malformedFile(path: url.path, detail: "line \(index + 1): token id above 2^32")
            }
            let key = pairKey(leftID, rightID)
            // A repeated rule ends up with its last rank, as in `tokenizers`, which inserts
            // every rule into its merge map in file order.
            rules[key] = (rank, resultID)
            rank += 1
        }
        return rules
    }
}
