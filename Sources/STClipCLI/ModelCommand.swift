import ArgumentParser

/// `stclip model fetch|info`: provisioning model directories.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Download a Hugging Face checkpoint, or describe a model directory.",
        subcommands: [ModelFetchCommand.self, ModelInfoCommand.self])
}
