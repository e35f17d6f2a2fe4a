import ArgumentParser
import Foundation
import STClipModelHub

/// `stclip model info DIR [--json]`: the family, sizes, frames and labels of a model directory.
struct ModelInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a model directory: family, tower sizes, parameters, frames, labels, bytes on disk.")

    @Argument(help: "A model directory (config.json, model.safetensors, …).")
    var directory: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let summary = try CLIError.wrap { try ModelSummary(directory: directory) }
        if json {
            try JSONOutput.print(summary)
        } else {
            FileHandle.standardOutput.write(Data(summary.report.utf8))
        }
    }
}
