import Foundation

/// CLIP's byte-level BPE tokenizer, giving the same ids as Hugging Face transformers 5's
/// `CLIPTokenizer` (the `tokenizers`-backed one, `CLIPTokenizerFast` in transformers 4).
///
/// Encoding a text:
/// 1. Literal special tokens (`<|startoftext|>`, `<|endoftext|>`, exactly as written) are cut
///    out of the raw text and become their own ids.
/// 2. Each stretch between them is normalized: NFC, every whitespace run → one space,
///    lowercase.
/// 3. It is split into words by CLIP's regex (letter runs, single digits, runs of other
///    non-space characters, English contractions); whitespace is dropped.
/// 4. Each word's UTF-8 bytes go through BPE with the `</w>` end-of-word suffix.
/// 5. The ids are truncated to `maxLength - 2` and wrapped in BOS … EOS.
///
/// The tokenizer is immutable apart from an internal, thread-safe word cache, so one value
/// can be shared freely between tasks.
public struct CLIPTokenizer: Sendable {
    /// Id of the beginning-of-sequence token (`<|startoftext|>`, 49406 in CLIP's vocabulary).
    public let bosTokenID: Int
    /// Id of the end-of-sequence token (`<|endoftext|>`, 49407 in CLIP's vocabulary).
    public let eosTokenID: Int
    /// Id used to pad rows of a batch (`<|endoftext|>` unless configured otherwise).
    public let padTokenID: Int
    /// Length of an encoded text including BOS and EOS, at most (77 for CLIP).
    public let maxLength: Int

    /// Number of tokens in the vocabulary (49408 for CLIP).
    public var vocabularySize: Int { vocabulary.count }

    private let vocabulary: Vocabulary
    private let bpe: BPE
    /// Special tokens matched in raw text, longest first so that the longest match wins at
    /// a position, as `tokenizers` does for added tokens.
    private let specialTokens: [(scalars: [Unicode.Scalar], id: Int)]
    private let specialTokenIDs: Set<Int>

    /// Loads `vocab.json` and `merges.txt` from `directory`, plus `tokenizer_config.json` and
    /// `special_tokens_map.json` when they exist there.
    ///
    /// - Throws: ``TokenizerError`` when a file is missing, unreadable or malformed, or a
    ///   special token is not in the vocabulary.
    public init(directory: URL) throws(TokenizerError) {
        func optionalFile(_ name: String) -> URL? {
            let url = directory.appendingPathComponent(name)
            return FileManager.default.fileExists(atPath: url.path) ? url : nil
        }
        try self.init(
            vocabularyFile: directory.appendingPathComponent("vocab.json"),
            mergesFile: directory.appendingPathComponent("merges.txt"),
            tokenizerConfigFile: optionalFile("tokenizer_config.json"),
            specialTokensMapFile: optionalFile("special_tokens_map.json")
        )
    }

    /// Loads a tokenizer from its vocabulary and merges files, and optionally the
    /// transformers config files that set `model_max_length` and the special tokens.
    /// Without them the maximum length is 77 and BOS/EOS/pad are CLIP's
    /// `<|startoftext|>` / `<|endoftext|>` / `<|endoftext|>`.
    ///
    /// - Parameters:
    ///   - vocabularyFile: `vocab.json`, a JSON object from token text to id.
    ///   - mergesFile: `merges.txt`, one merge rule `left right` per line after an optional
    ///     `#version` line.
    ///   - tokenizerConfigFile: `tokenizer_config.json`, or nil.
    ///   - specialTokensMapFile: `special_tokens_map.json`, or nil.
    /// - Throws: ``TokenizerError`` when a file is missing, unreadable or malformed, or a
    ///   special token is not in the vocabulary.
    public init(
        vocabularyFile: URL,
        mergesFile: URL,
        tokenizerConfigFile: URL? = nil,
        specialTokensMapFile: URL? = nil
    ) throws(TokenizerError) {
        let configuration = try TokenizerConfiguration(
            tokenizerConfig: tokenizerConfigFile, specialTokensMap: specialTokensMapFile)
        let vocabulary = try Vocabulary(contentsOf: vocabularyFile)

        func id(of token: String) throws(TokenizerError) -> Int {
            guard let id = vocabulary.ids[token] else { throw .missingSpecialToken(token) }
            return id
        }
        bosTokenID = try id(of: configuration.bosToken)
        eosTokenID = try id(of: configuration.eosToken)
        padTokenID = try id(of: configuration.padToken)
        let unknownID = try id(of: configuration.unkToken)

        self.vocabulary = vocabulary
        maxLength = configuration.maxLength
        bpe = try BPE(vocabulary: vocabulary, mergesFile: mergesFile, unknownID: unknownID)

        // transformers registers each named special token as an added token that is matched
        // in the raw text; CLIP's unk and pad tokens are the EOS token again.
        var seen = Set<String>()
        var specials: [(scalars: [Unicode.Scalar], id: Int)] = []
        for (token, tokenID) in [(configuration.bosToken, bosTokenID), (configuration.eosToken, eosTokenID),
                                 (configuration.unkToken, unknownID), (configuration.padToken, padTokenID)]
        where !token.isEmpty && seen.insert(token).inserted {
            specials.append((Array(token.unicodeScalars), tokenID))
        }
        specialTokens = specials.sorted { $0.scalars.count > $1.scalars.count }
        specialTokenIDs = Set(specials.map(\.id))
    }

    /// Token ids of `text`: BOS, at most `maxLength - 2` text tokens, EOS — as transformers'
    /// `tokenizer(text, truncation=True)["input_ids"]`.
    public func encode(_ text: String) -> [Int] {
        var ids = [bosTokenID]
        ids.append(contentsOf: textTokenIDs(text, limit: maxLength - 2))
        ids.append(eosTokenID)
        return ids
    }

    /// Encodes each text as ``encode(_:)`` does and pads the rows on the right with
    /// ``padTokenID`` — as transformers' `tokenizer(texts, padding=True, truncation=True)`
    /// for ``PaddingMode/longest`` and `padding="max_length"` for ``PaddingMode/maxLength``.
    ///
    /// - Returns: the padded ids, and a mask with 1 for each real token and 0 for padding.
    public func encodeBatch(
        _ texts: [String], padTo padding: PaddingMode = .longest
    ) -> (inputIDs: [[Int]], attentionMask: [[Int]]) {
        let rows = texts.map(encode)
        let width: Int
        switch padding {
        case .longest: width = rows.map(\.count).max() ?? 0
        case .maxLength: width = maxLength
        }
        var inputIDs: [[Int]] = []
        var attentionMask: [[Int]] = []
        inputIDs.reserveCapacity(rows.count)
        attentionMask.reserveCapacity(rows.count)
        for row in rows {
            let padCount = width - row.count
            inputIDs.append(row + repeatElement(padTokenID, count: padCount))
            attentionMask.append(Array(repeating: 1, count: row.count) + repeatElement(0, count: padCount))
        }
        return (inputIDs, attentionMask)
    }

    /// Text of `ids`, for debugging, as transformers' `tokenizer.decode(ids)`: tokens are
    /// joined, their bytes decoded as UTF-8 (invalid sequences become U+FFFD), each `</w>`
    /// becomes a space, and surrounding whitespace is trimmed. Ids not in the vocabulary are
    /// skipped.
    ///
    /// - Parameter skipSpecialTokens: leave out BOS, EOS, pad and unk tokens.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        var bytes: [UInt8] = []
        for id in ids {
            guard let token = vocabulary.tokens[id] else { continue }
            if skipSpecialTokens && specialTokenIDs.contains(id) { continue }
            // A token whose scalars are not all byte scalars (such as a special token with
            // characters outside the byte alphabet) is kept as its own UTF-8.
            bytes.append(contentsOf: ByteEncoder.decodeBytes(of: token) ?? Array(token.utf8))
        }
        let suffix = Array(BPE.endOfWordSuffix.unicodeScalars)
        let scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
        var text: [Unicode.Scalar] = []
        text.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            if scalars[index...].starts(with: suffix) {
                text.append(" ")
                index += suffix.count
            } else {
                text.append(scalars[index])
                index += 1
            }
        }
        // Python's `str.strip()`: White_Space plus the separators U+001C…U+001F.
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
        }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
              let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: text[first...last])
        return String(view)
    }

    /// The ids of `text` without BOS/EOS, stopping once `limit` ids are produced (later
    /// words never change earlier ids, so the result is the untruncated ids' prefix).
    func textTokenIDs(_ text: String, limit: Int) -> [Int] {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int] = []
        var segmentStart = 0
        var index = 0
        while index < scalars.count && ids.count < limit {
            guard let special = specialToken(in: scalars, at: index) else {
                index += 1
                continue
            }
            appendTextIDs(of: scalars[segmentStart..<index], to: &ids, limit: limit)
            ids.append(special.id)
            index += special.scalars.count
            segmentStart = index
        }
        appendTextIDs(of: scalars[segmentStart...], to: &ids, limit: limit)
        return Array(ids.prefix(limit))
    }

    /// The special token written at `index` of the raw text, if any (longest first).
    private func specialToken(in scalars: [Unicode.Scalar], at index: Int) -> (scalars: [Unicode.Scalar], id: Int)? {
        let scalar = scalars[index]
        return specialTokens.first { $0.scalars.first == scalar && scalars[index...].starts(with: $0.scalars) }
    }

    /// Normalizes, pre-tokenizes and BPE-encodes a stretch of text without special tokens.
    private func appendTextIDs(of segment: ArraySlice<Unicode.Scalar>, to ids: inout [Int], limit: Int) {
        guard !segment.isEmpty, ids.count < limit else { return }
        let normalized = TextNormalizer.normalize(segment)
        var word: [UInt8] = []
        PreTokenizer.forEachPiece(in: normalized) { piece in
            guard ids.count < limit else { return }
            word.removeAll(keepingCapacity: true)
            for scalar in piece {
                UTF8.encode(scalar) { word.append($0) }
            }
            bpe.encode(word: word, into: &ids)
        }
    }
}
