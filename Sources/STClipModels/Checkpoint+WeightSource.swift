import STClipCheckpoint

/// A checkpoint directory serves weights by name, checking each shape.
extension Checkpoint: WeightSource {}
