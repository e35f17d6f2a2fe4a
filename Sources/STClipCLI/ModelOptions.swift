import ArgumentParser
import Foundation
import STClipModels
import STClipRuntime

/// Options shared by every command that loads a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "A Hugging Face style model directory (config.json, model.safetensors, vocab.json, merges.txt); default: $STCLIP_MODEL, else the embedded default model.")
    var model: String?

    @Option(help: "BLAS threads (default: the number of cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    /// Loads the model, with BLAS set to `threads`; load errors become a clean exit.
    func load() throws -> LoadedModel {
        BLAS.threads = threads
        return try CLIError.wrap { try LoadedModel.load(directory: try directory()) }
    }

    /// `--model`, else `STCLIP_MODEL`, else the embedded default model.
    func directory() throws -> String {
        if let model { return model }
        if let env = ProcessInfo.processInfo.environment["STCLIP_MODEL"], !env.isEmpty { return env }
        guard let embedded = DefaultModel.directory() else {
            throw CLIError(description: "no model given and no embedded default model found (looked in "
                           + DefaultModel.candidates().joined(separator: ", ") + "): pass --model DIR or set STCLIP_MODEL")
        }
        return embedded
    }
}
