import STClipCheckpoint
import STClipRuntime

extension STASCLIPConfig {
    /// Reads a `stas-clip` `config.json`. The towers take CLIP's defaults; the paper's switches
    /// are required, since Training/stasclip writes every one of them.
    public init(json: JSONObject) throws {
        self.init()
        if let v = try json.optionalObject("vision_config") { try vision.read(v) }
        if let t = try json.optionalObject("text_config") { try text.read(t) }
        projectionDim = try json.int("projection_dim")
        frames = try json.int("num_frames")
        communicationToken = try json.bool("communication_token")
        temporalModeling = try Self.choice(json, "temporal_modeling", as: TemporalModeling.self)
        shiftFraction = try json.double("shift_fraction")
        tcKernelSize = try json.int("tc_kernel_size")
        endTransformer = try json.bool("end_transformer")
        mit.hiddenSize = try json.int("mit_hidden_size")
        mit.intermediateSize = try json.int("mit_intermediate_size")
        mit.layers = try json.int("mit_num_hidden_layers")
        mit.heads = try json.int("mit_num_attention_heads")
        auxHead = try Self.choice(json, "aux_head", as: AuxiliaryHead.self)
        auxDim = try json.int("aux_dim")
        auxLayers = try json.int("aux_num_hidden_layers")
        auxIntermediateSize = try json.int("aux_intermediate_size")
        auxHeads = try json.int("aux_num_attention_heads")
        auxIterations = try json.int("aux_iterations")
        auxLabels = try json.array("aux_labels").strings()
        try validate(path: json.path)
    }

    private static func choice<T: RawRepresentable & CaseIterable>(_ json: JSONObject, _ key: String, as: T.Type) throws -> T
    where T.RawValue == String {
        let name = try json.string(key)
        guard let value = T(rawValue: name) else {
            throw ModelError.invalidConfig(path: json.path, detail: "\(key) = \"\(name)\"; one of "
                                           + T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }

    func validate(path: String) throws {
        try vision.validate(path: path)
        try text.validate(path: path)
        try ModelError.require(projectionDim > 0 && frames > 0, path: path, "projection_dim and num_frames must be positive")
        try ModelError.require((0...0.5).contains(shiftFraction), path: path, "shift_fraction \(shiftFraction) must be in [0, 0.5]")
        try ModelError.require(tcKernelSize > 0 && tcKernelSize % 2 == 1, path: path, "tc_kernel_size \(tcKernelSize) must be odd")
        if endTransformer {
            try ModelError.requireTransformer("mit", hidden: mit.hiddenSize, intermediate: mit.intermediateSize,
                                              layers: mit.layers, heads: mit.heads, path: path)
            try ModelError.require(mit.hiddenSize == projectionDim, path: path,
                                   "mit_hidden_size \(mit.hiddenSize) must equal projection_dim \(projectionDim)")
        }
        if auxHead != .none {
            try ModelError.requireTransformer("aux_head", hidden: vision.hiddenSize, intermediate: auxIntermediateSize,
                                              layers: auxLayers, heads: auxHeads, path: path)
            try ModelError.require(auxDim > 0 && auxIterations >= 0 && !auxLabels.isEmpty, path: path,
                                   "aux_dim must be positive, aux_iterations non-negative and aux_labels non-empty")
        }
    }
}
