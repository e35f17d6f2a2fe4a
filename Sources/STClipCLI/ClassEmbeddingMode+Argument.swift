import ArgumentParser
import STClipModels

/// `--mode name|templates|descriptions|all`.
extension ClassEmbeddingMode: ExpressibleByArgument {}
