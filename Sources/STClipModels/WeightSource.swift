import STClipRuntime

/// Where a model's weights come from: a checkpoint directory in the product. Every lookup names the
/// shape the config implies, so a checkpoint that disagrees with its config fails at load, by name.
public protocol WeightSource {
    /// The tensor `name`, which must have exactly `shape`.
    func tensor(_ name: String, shape: [Int]) throws -> Tensor
}

extension WeightSource {
    /// `name.weight` `(out, in)` and, when `bias`, `name.bias` `(out)`.
    func linear(_ name: String, out: Int, in inFeatures: Int, bias: Bool = true) throws -> Linear {
        Linear(weight: try tensor(name + ".weight", shape: [out, inFeatures]),
               bias: bias ? try tensor(name + ".bias", shape: [out]) : nil)
    }

    /// `name.weight` and `name.bias`, both `(dim)`.
    func layerNorm(_ name: String, dim: Int, eps: Float) throws -> LayerNorm {
        LayerNorm(weight: try tensor(name + ".weight", shape: [dim]), bias: try tensor(name + ".bias", shape: [dim]), eps: eps)
    }

    /// One pre-LN encoder layer of width `dim` with an MLP of width `intermediate`.
    func encoderLayer(_ names: EncoderLayerNames, dim: Int, intermediate: Int, heads: Int,
                      activation: Kernels.Activation, eps: Float) throws -> EncoderLayer {
        EncoderLayer(
            layerNorm1: try layerNorm(names.layerNorm1, dim: dim, eps: eps),
            q: try linear(names.qProj, out: dim, in: dim),
            k: try linear(names.kProj, out: dim, in: dim),
            v: try linear(names.vProj, out: dim, in: dim),
            out: try linear(names.outProj, out: dim, in: dim),
            layerNorm2: try layerNorm(names.layerNorm2, dim: dim, eps: eps),
            fc1: try linear(names.fc1, out: intermediate, in: dim),
            fc2: try linear(names.fc2, out: dim, in: intermediate),
            heads: heads, activation: activation)
    }
}
