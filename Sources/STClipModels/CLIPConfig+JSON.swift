import STClipCheckpoint
import STClipRuntime

extension CLIPConfig {
    /// Reads a `CLIPModel` `config.json`, taking transformers' defaults for absent keys (hub
    /// configs often omit them) and refusing values the runtime cannot run.
    public init(json: JSONObject) throws {
        self.init()
        let v = try json.optionalObject("vision_config")
        let t = try json.optionalObject("text_config")
        projectionDim = try json.int("projection_dim", default: projectionDim)
        if let v {
            vision.hiddenSize = try v.int("hidden_size", default: vision.hiddenSize)
            vision.intermediateSize = try v.int("intermediate_size", default: vision.intermediateSize)
            vision.layers = try v.int("num_hidden_layers", default: vision.layers)
            vision.heads = try v.int("num_attention_heads", default: vision.heads)
            vision.channels = try v.int("num_channels", default: vision.channels)
            vision.imageSize = try v.int("image_size", default: vision.imageSize)
            vision.patchSize = try v.int("patch_size", default: vision.patchSize)
            vision.activation = try Self.activation(v, default: vision.activation)
            vision.layerNormEps = Float(try v.double("layer_norm_eps", default: Double(vision.layerNormEps)))
        }
        if let t {
            text.vocabSize = try t.int("vocab_size", default: text.vocabSize)
            text.hiddenSize = try t.int("hidden_size", default: text.hiddenSize)
            text.intermediateSize = try t.int("intermediate_size", default: text.intermediateSize)
            text.layers = try t.int("num_hidden_layers", default: text.layers)
            text.heads = try t.int("num_attention_heads", default: text.heads)
            text.maxPositions = try t.int("max_position_embeddings", default: text.maxPositions)
            text.activation = try Self.activation(t, default: text.activation)
            text.layerNormEps = Float(try t.double("layer_norm_eps", default: Double(text.layerNormEps)))
            text.eosTokenID = try t.int("eos_token_id", default: text.eosTokenID)
        }
        try validate(path: json.path)
    }

    private static func activation(_ json: JSONObject, default fallback: Kernels.Activation) throws -> Kernels.Activation {
        guard let name = try json.optionalString("hidden_act") else { return fallback }
        guard let activation = Kernels.Activation(rawValue: name) else {
            throw ModelError.invalidConfig(path: json.path, detail: "\(json.keyPath(of: "hidden_act")) = \"\(name)\"; supported: "
                                           + Kernels.Activation.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return activation
    }

    /// Rejects sizes that would make the forward pass meaningless or divide by zero.
    func validate(path: String) throws {
        func require(_ ok: Bool, _ detail: String) throws {
            if !ok { throw ModelError.invalidConfig(path: path, detail: detail) }
        }
        for (tower, d, i, l, h) in [("vision_config", vision.hiddenSize, vision.intermediateSize, vision.layers, vision.heads),
                                    ("text_config", text.hiddenSize, text.intermediateSize, text.layers, text.heads)] {
            try require(d > 0 && i > 0 && l >= 0 && h > 0, "\(tower): sizes must be positive (hidden \(d), intermediate \(i), layers \(l), heads \(h))")
            try require(d % h == 0, "\(tower): hidden_size \(d) is not divisible by num_attention_heads \(h)")
        }
        try require(vision.patchSize > 0 && vision.imageSize >= vision.patchSize && vision.channels > 0,
                    "vision_config: image_size \(vision.imageSize) must be at least patch_size \(vision.patchSize) > 0")
        try require(text.vocabSize > 0 && text.maxPositions > 0, "text_config: vocab_size and max_position_embeddings must be positive")
        try require(projectionDim > 0, "projection_dim must be positive")
    }
}
