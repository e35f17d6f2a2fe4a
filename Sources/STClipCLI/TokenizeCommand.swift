import ArgumentParser
import Foundation
import STClipTokenizer

/// `stclip tokenize --model DIR TEXT...` → `{"input_ids": [[...], ...]}`, one row per text,
/// with BOS and EOS, truncated to the model's context, unpadded.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "CLIP BPE token ids of each text.")

    @Option(name: .long, help: "A model directory holding vocab.json and merges.txt.")
    var model: String

    @Argument(help: "Texts to tokenize.")
    var texts: [String]

    func run() throws {
        let tokenizer = try CLIError.wrap { try CLIPTokenizer(directory: URL(fileURLWithPath: model)) }
        try JSONOutput.print(["input_ids": texts.map { tokenizer.encode($0) }])
    }
}
