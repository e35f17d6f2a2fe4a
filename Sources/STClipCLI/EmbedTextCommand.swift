import ArgumentParser
import STClipModels

/// `stclip embed-text --model DIR TEXT...` → `{"text_embeds": [[...], ...]}`: projected, not
/// normalised, as transformers' `get_text_features`.
struct EmbedTextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed-text", abstract: "Text embeddings in the joint space.")

    @OptionGroup var options: ModelOptions

    @Argument(help: "Texts to embed.")
    var texts: [String]

    func run() throws {
        let model = try options.load()
        let embeds = try CLIError.wrap { try model.textEmbeddings(texts) }    // (texts, P)
        let p = model.embeddingDimension
        try JSONOutput.print(["text_embeds": (0..<texts.count).map { Array(embeds.buffer[($0 * p)..<($0 * p + p)]) }])
    }
}
