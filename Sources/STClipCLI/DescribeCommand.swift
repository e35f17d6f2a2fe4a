import ArgumentParser
import Dispatch
import Foundation
import STClipPrompts

/// `stclip describe TEXT...`: asks the configured language model the seed paper's question about each
/// class and prints the descriptions, or why the class would fall back to its prompt templates.
struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Expand class names into descriptions with an OpenAI-compatible chat-completions endpoint.",
        discussion: """
            Reads STCLIP_LLM_BASE_URL (e.g. https://api.openai.com/v1), STCLIP_LLM_MODEL, STCLIP_LLM_API_KEY \
            and STCLIP_LLM_TIMEOUT (seconds, default 20). Each class is asked "What are useful visual features \
            for distinguishing {class} in a video?". A class the model cannot describe is reported with \
            "source": "templates" and the reason.
            """)

    @Argument(help: "Class texts to describe, e.g. \"abseiling\".")
    var texts: [String]

    func validate() throws {
        guard !texts.isEmpty, texts.allSatisfy({ !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw ValidationError("give at least one non-empty class text")
        }
    }

    func run() throws {
        let expander = DescriptionExpander()
        let texts = self.texts
        let results = Results()
        // ParsableCommand's run is synchronous; the expansions run on the concurrency pool meanwhile.
        let done = DispatchSemaphore(value: 0)
        Task {
            for text in texts { results.append(await expander.expand(text)) }
            done.signal()
        }
        done.wait()

        struct Entry: Encodable {
            let text: String
            let descriptions: [String]
            let source: String
            let model: String?
            let reason: String?
        }
        let entries = results.all.map { e -> Entry in
            switch e.source {
            case let .languageModel(model):
                return Entry(text: e.classText, descriptions: e.descriptions, source: "language_model", model: model, reason: nil)
            case let .templates(reason):
                return Entry(text: e.classText, descriptions: [], source: "templates", model: nil, reason: reason.description)
            }
        }
        try JSONOutput.print(["classes": entries])
        let fallbacks = entries.filter { $0.source == "templates" }
        if let first = fallbacks.first {
            FileHandle.standardError.write(Data("stclip describe: \(fallbacks.count) of \(entries.count) classes fall back to templates: \(first.reason ?? "")\n".utf8))
        }
    }

    /// Expansions gathered by the task, read after it has finished.
    private final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [ClassExpansion] = []   // guarded by `lock`

        func append(_ item: ClassExpansion) { lock.withLock { items.append(item) } }

        var all: [ClassExpansion] { lock.withLock { items } }
    }
}
