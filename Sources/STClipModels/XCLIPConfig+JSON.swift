import STClipCheckpoint
import STClipRuntime

extension XCLIPConfig {
    /// Reads an `XCLIPModel` `config.json` with transformers' defaults for absent keys.
    public init(json: JSONObject) throws {
        self.init()
        if let v = try json.optionalObject("vision_config") {
            try vision.read(v)
            frames = try v.int("num_frames", default: frames)
            mit.hiddenSize = try v.int("mit_hidden_size", default: mit.hiddenSize)
            mit.intermediateSize = try v.int("mit_intermediate_size", default: mit.intermediateSize)
            mit.layers = try v.int("mit_num_hidden_layers", default: mit.layers)
            mit.heads = try v.int("mit_num_attention_heads", default: mit.heads)
        }
        if let t = try json.optionalObject("text_config") { try text.read(t) }
        projectionDim = try json.int("projection_dim", default: projectionDim)
        promptLayers = try json.int("prompt_layers", default: promptLayers)
        promptHeads = try json.int("prompt_num_attention_heads", default: promptHeads)
        promptActivation = try Kernels.Activation(json: json, key: "prompt_hidden_act", default: promptActivation)
        try validate(path: json.path)
    }

    func validate(path: String) throws {
        try vision.validate(path: path)
        try text.validate(path: path)
        try ModelError.require(projectionDim > 0 && frames > 0 && promptLayers >= 0, path: path,
                               "projection_dim, vision_config.num_frames must be positive and prompt_layers non-negative")
        try ModelError.requireTransformer("mit", hidden: mit.hiddenSize, intermediate: mit.intermediateSize,
                                          layers: mit.layers, heads: mit.heads, path: path)
        try ModelError.require(mit.hiddenSize == projectionDim, path: path,
                               "vision_config.mit_hidden_size \(mit.hiddenSize) must equal projection_dim \(projectionDim)")
        try ModelError.require(promptHeads > 0 && projectionDim % promptHeads == 0, path: path,
                               "projection_dim \(projectionDim) is not divisible by prompt_num_attention_heads \(promptHeads)")
    }
}
