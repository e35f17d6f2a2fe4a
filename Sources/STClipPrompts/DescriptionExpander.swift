import Foundation

/// Asks a language model the seed paper's question about a class — "What are useful visual
/// features for distinguishing {class} in a video?" — and returns its answer as descriptions, or
/// says why the class must fall back to its prompt templates.
///
/// Answers are kept per model and class text, so a class is asked about once; failures are not
/// kept, so a later call tries again.
public final class DescriptionExpander: @unchecked Sendable {
    /// The endpoint; nil when none is configured.
    public let configuration: LLMConfiguration?
    private let configurationFailure: ExpansionFailure?
    private let lock = NSLock()
    private var answers: [String: ClassExpansion] = [:]   // by "model\u{0}classText"; guarded by `lock`

    /// The seed paper's question (section 3.3), with `{}` for the class.
    public static let question = "What are useful visual features for distinguishing {} in a video?"

    /// The system message: the answer's shape, so that it parses into 2–4 descriptions like the
    /// built-in label sets' (one to three sentences each on motion, objects and scene).
    public static let instructions = """
        You describe human actions for a video recognition model. Answer with 2 to 4 descriptions, \
        one per line, each one to three plain sentences about the visible body motion, objects and \
        scene that tell this action apart from similar actions. No introduction, no numbering, no Markdown.
        """

    public init(configuration: LLMConfiguration?) {
        self.configuration = configuration
        self.configurationFailure = nil
    }

    /// An expander configured from `STCLIP_LLM_*`; when they are unset or unusable it expands nothing
    /// and every result says why.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        do throws(ExpansionFailure) {
            configuration = try LLMConfiguration.fromEnvironment(environment)
            configurationFailure = nil
        } catch {
            configuration = nil
            configurationFailure = error
        }
    }

    /// The question as asked about `classText`.
    public static func question(about classText: String) -> String {
        question.replacingOccurrences(of: "{}", with: classText)
    }

    /// Descriptions of `classText` from the language model, or an empty list with the reason the
    /// class has to be embedded from its templates.
    public func expand(_ classText: String) async -> ClassExpansion {
        guard let configuration else {
            return ClassExpansion(classText: classText, descriptions: [], source: .templates(reason: configurationFailure ?? .notConfigured))
        }
        let key = configuration.model + "\u{0}" + classText
        if let known = lock.withLock({ answers[key] }) { return known }
        let result = await ask(classText)
        if result.isExpanded { lock.withLock { answers[key] = result } }
        return result
    }

    /// Asks the language model about `classText` now, neither consulting nor keeping answers (for
    /// callers that keep them elsewhere, such as the service's label store). The request gets
    /// `timeout` seconds when that is shorter than the configured timeout.
    public func ask(_ classText: String, timeout: Double? = nil) async -> ClassExpansion {
        guard var configuration else {
            return ClassExpansion(classText: classText, descriptions: [], source: .templates(reason: configurationFailure ?? .notConfigured))
        }
        if let timeout { configuration.timeout = min(configuration.timeout, max(timeout, 0.001)) }
        do throws(ExpansionFailure) {
            let answer = try await ChatCompletionsClient(configuration: configuration)
                .complete(system: Self.instructions, user: Self.question(about: classText))
            let descriptions = DescriptionParser.descriptions(in: answer)
            guard !descriptions.isEmpty else { throw .noDescriptions(answer: String(answer.prefix(200))) }
            return ClassExpansion(classText: classText, descriptions: descriptions, source: .languageModel(model: configuration.model))
        } catch {
            return ClassExpansion(classText: classText, descriptions: [], source: .templates(reason: error))
        }
    }
}
