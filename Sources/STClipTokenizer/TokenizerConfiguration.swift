import Foundation

/// The settings a CLIP tokenizer takes from `tokenizer_config.json` and
/// `special_tokens_map.json`, with CLIP's defaults for anything absent.
struct TokenizerConfiguration: Sendable, Equatable {
    /// CLIP's text context length.
    static let defaultMaxLength = 77
    /// transformers stores `int(1e30)` as `model_max_length` when no limit is known, and
    /// treats anything above `LARGE_INTEGER` (1e20) as "no limit".
    private static let unsetMaxLengthThreshold = 1e20

    var maxLength = TokenizerConfiguration.defaultMaxLength
    var bosToken = "<|startoftext|>"
    var eosToken = "<|endoftext|>"
    var unkToken = "<|endoftext|>"
    var padToken = "<|endoftext|>"

    init() {}

    /// Reads the given files (each optional). As in transformers, a special token named in
    /// `special_tokens_map.json` overrides the one in `tokenizer_config.json`, unless that
    /// config has an `added_tokens_decoder` (then transformers ignores the map). A token is
    /// written either as a string or as an object with a `content` string; `null` keeps the
    /// default. A missing or "no limit" `model_max_length` gives 77.
    init(tokenizerConfig: URL?, specialTokensMap: URL?) throws(TokenizerError) {
        var ignoreMap = false
        if let url = tokenizerConfig {
            let object = try TokenizerFile.jsonObject(at: url)
            try apply(object, from: url)
            if let value = object["model_max_length"] {
                maxLength = try Self.maxLength(value, from: url)
            }
            ignoreMap = object["added_tokens_decoder"] != nil
        }
        if let url = specialTokensMap, !ignoreMap {
            try apply(try TokenizerFile.jsonObject(at: url), from: url)
        }
    }

    private mutating func apply(_ object: [String: Any], from url: URL) throws(TokenizerError) {
        if let token = try Self.token(object["bos_token"], key: "bos_token", from: url) { bosToken = token }
        if let token = try Self.token(object["eos_token"], key: "eos_token", from: url) { eosToken = token }
        if let token = try Self.token(object["unk_token"], key: "unk_token", from: url) { unkToken = token }
        if let token = try Self.token(object["pad_token"], key: "pad_token", from: url) { padToken = token }
    }

    private static func token(_ value: Any?, key: String, from url: URL) throws(TokenizerError) -> String? {
        switch value {
        case nil, is NSNull:
            return nil
        case let text as String:
            return text
        case let object as [String: Any]:
            guard let content = object["content"] as? String else {
                throw .malformedFile(path: url.path, detail: "\(key) has no string \"content\"")
            }
            return content
        default:
            throw .malformedFile(path: url.path, detail: "\(key) is neither a string nor a token object")
        }
    }

    private static func maxLength(_ value: Any, from url: URL) throws(TokenizerError) -> Int {
        guard let number = value as? NSNumber else {
            throw .malformedFile(path: url.path, detail: "model_max_length is not a number")
        }
        let length = number.doubleValue
        if length > unsetMaxLengthThreshold { return defaultMaxLength }
        // BOS and EOS alone take two positions.
        guard let whole = Int(exactly: length), whole >= 2 else {
            throw .malformedFile(path: url.path, detail: "model_max_length \(number) is not an integer ≥ 2")
        }
        return whole
    }
}
