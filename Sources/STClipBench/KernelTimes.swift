import ArgumentParser
import Foundation
import STClipRuntime

/// Times each non-GEMM kernel at ViT-B shapes, to see where a forward pass spends its time beyond
/// the GEMM floor.
struct KernelTimes: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kernels")

    @Option(help: "Tokens per frame (50 for B/32, 197 for B/16).") var tokens = 50
    @Option(help: "Frames per clip.") var frames = 8
    @Option(help: "BLAS threads.") var threads = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
        BLAS.threads = threads
        let rows = tokens * frames
        let x = Tensor(zeros: [rows, 768]), h = Tensor(zeros: [rows, 3072])
        let g = Tensor(zeros: [768]), w = Tensor(zeros: [3072, 768]), b = Tensor(zeros: [3072])
        func time(_ name: String, _ f: () -> Void) {
            f()
            let n = 20, start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<n { f() }
            print("{\"kernel\": \"\(name)\", \"ms\": \(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(n))}")
        }
        time("attention 12 heads") { _ = Kernels.attention(q: x, k: x, v: x, batch: frames, sequence: tokens, heads: 12) }
        time("layer_norm 768") { _ = Kernels.layerNorm(x, weight: g, bias: g, eps: 1e-5) }
        time("quick_gelu 3072") { Kernels.quickGELU(h) }
        time("residual add 768") { Kernels.addInPlace(x, x) }
        time("fc1 linear with bias") { _ = Kernels.linear(x, weight: w, bias: b) }
    }
}
