import STClipModels
import STClipRuntime

/// Weights drawn uniformly from ±scale with a fixed seed, for timing a model at its real size
/// without a checkpoint file. Norm weights get 1 ± scale so activations stay in range.
final class RandomWeights: WeightSource {
    private var state: UInt64
    private let scale: Float

    init(seed: UInt64 = 0, scale: Float = 0.02) {
        state = seed
        self.scale = scale
    }

    func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        let t = Tensor(uninitialized: shape)
        let offset: Float = name.contains("norm") && name.hasSuffix(".weight") ? 1 : 0
        for i in 0..<t.count { t.data[i] = offset + scale * (2 * nextUnit() - 1) }
        return t
    }

    /// SplitMix64 → [0, 1).
    private func nextUnit() -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Float((z ^ (z >> 31)) >> 40) / Float(1 << 24)
    }
}
