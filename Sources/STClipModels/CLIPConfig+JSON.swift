import STClipCheckpoint
import STClipRuntime

extension CLIPConfig {
    /// Reads a `CLIPModel` `config.json`, taking transformers' defaults for absent keys (hub
    /// configs often omit them) and refusing values the runtime cannot run.
    public init(json: JSONObject) throws {
        self.init()
        if let v = try json.optionalObject("vision_config") { try vision.read(v) }
        if let t = try json.optionalObject("text_config") { try text.read(t) }
        projectionDim = try json.int("projection_dim", default: projectionDim)
        try validate(path: json.path)
    }

    /// Rejects sizes that would make the forward pass meaningless or divide by zero.
    func validate(path: String) throws {
        try vision.validate(path: path)
        try text.validate(path: path)
        try ModelError.require(projectionDim > 0, path: path, "projection_dim must be positive")
    }
}

extension CLIPVisionConfig {
    /// Overrides the defaults with the keys present in a `vision_config` object.
    mutating func read(_ v: JSONObject) throws {
        hiddenSize = try v.int("hidden_size", default: hiddenSize)
        intermediateSize = try v.int("intermediate_size", default: intermediateSize)
        layers = try v.int("num_hidden_layers", default: layers)
        heads = try v.int("num_attention_heads", default: heads)
        channels = try v.int("num_channels", default: channels)
        imageSize = try v.int("image_size", default: imageSize)
        patchSize = try v.int("patch_size", default: patchSize)
        activation = try Kernels.Activation(json: v, default: activation)
        layerNormEps = Float(try v.double("layer_norm_eps", default: Double(layerNormEps)))
    }

    func validate(path: String) throws {
        try ModelError.requireTransformer("vision_config", hidden: hiddenSize, intermediate: intermediateSize,
                                          layers: layers, heads: heads, path: path)
        try ModelError.require(patchSize > 0 && imageSize >= patchSize && channels > 0, path: path,
                               "vision_config: image_size \(imageSize) must be at least patch_size \(patchSize) > 0")
    }
}

extension CLIPTextConfig {
    /// Overrides the defaults with the keys present in a `text_config` object.
    mutating func read(_ t: JSONObject) throws {
        vocabSize = try t.int("vocab_size", default: vocabSize)
        hiddenSize = try t.int("hidden_size", default: hiddenSize)
        intermediateSize = try t.int("intermediate_size", default: intermediateSize)
        layers = try t.int("num_hidden_layers", default: layers)
        heads = try t.int("num_attention_heads", default: heads)
        maxPositions = try t.int("max_position_embeddings", default: maxPositions)
        activation = try Kernels.Activation(json: t, default: activation)
        layerNormEps = Float(try t.double("layer_norm_eps", default: Double(layerNormEps)))
        eosTokenID = try t.int("eos_token_id", default: eosTokenID)
    }

    func validate(path: String) throws {
        try ModelError.requireTransformer("text_config", hidden: hiddenSize, intermediate: intermediateSize,
                                          layers: layers, heads: heads, path: path)
        try ModelError.require(vocabSize > 0 && maxPositions > 0, path: path,
                               "text_config: vocab_size and max_position_embeddings must be positive")
    }
}

extension Kernels.Activation {
    /// `hidden_act` (or `key`) from `json`, `fallback` when absent; an unknown name is an error naming the key.
    init(json: JSONObject, key: String = "hidden_act", default fallback: Kernels.Activation) throws {
        guard let name = try json.optionalString(key) else { self = fallback; return }
        guard let activation = Kernels.Activation(rawValue: name) else {
            throw ModelError.invalidConfig(path: json.path, detail: "\(json.keyPath(of: key)) = \"\(name)\"; supported: "
                                           + Kernels.Activation.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = activation
    }
}

extension ModelError {
    /// Throws `invalidConfig(path, detail)` unless `ok`.
    static func require(_ ok: Bool, path: String, _ detail: @autoclosure () -> String) throws {
        if !ok { throw ModelError.invalidConfig(path: path, detail: detail()) }
    }

    /// The sizes of a transformer stack must be positive and the width divisible by the heads.
    static func requireTransformer(_ name: String, hidden: Int, intermediate: Int, layers: Int, heads: Int, path: String) throws {
        try require(hidden > 0 && intermediate > 0 && layers >= 0 && heads > 0, path: path,
                    "\(name): sizes must be positive (hidden \(hidden), intermediate \(intermediate), layers \(layers), heads \(heads))")
        try require(hidden % heads == 0, path: path, "\(name): hidden_size \(hidden) is not divisible by num_attention_heads \(heads)")
    }
}
