extension ModelSummary: Encodable {
    enum CodingKeys: String, CodingKey {
        case directory, family, architectures, vision, text
        case projectionDim = "projection_dim", frames
        case temporalTransformer = "temporal_transformer", promptGeneratorLayers = "prompt_generator_layers"
        case temporalModeling = "temporal_modeling", communicationToken = "communication_token"
        case auxHead = "aux_head", auxLabels = "aux_labels", labelSets = "label_sets"
        case parameters, dtypes, weightFiles = "weight_files", weightBytes = "weight_bytes"
        case diskBytes = "disk_bytes", fileCount = "files"
    }

    /// Every key, with `null` where a family has no such part, so that each family's document
    /// has the same shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(directory, forKey: .directory)
        try c.encode(family, forKey: .family)
        try c.encode(architectures, forKey: .architectures)
        try c.encode(vision, forKey: .vision)
        try c.encode(text, forKey: .text)
        try c.encode(projectionDim, forKey: .projectionDim)
        try c.encode(frames, forKey: .frames)
        try c.encode(temporalTransformer, forKey: .temporalTransformer)
        try c.encode(promptGeneratorLayers, forKey: .promptGeneratorLayers)
        try c.encode(temporalModeling, forKey: .temporalModeling)
        try c.encode(communicationToken, forKey: .communicationToken)
        try c.encode(auxHead, forKey: .auxHead)
        try c.encode(auxLabels, forKey: .auxLabels)
        try c.encode(labelSets, forKey: .labelSets)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(dtypes, forKey: .dtypes)
        try c.encode(weightFiles, forKey: .weightFiles)
        try c.encode(weightBytes, forKey: .weightBytes)
        try c.encode(diskBytes, forKey: .diskBytes)
        try c.encode(fileCount, forKey: .fileCount)
    }
}
