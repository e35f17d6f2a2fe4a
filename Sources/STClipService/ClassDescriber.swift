import Dispatch
import Logging
import STClipModels
import STClipPrompts
import Synchronization

/// Runtime expansion in the service (issue 7): descriptions for the classes a client registers
/// without any, in label sets whose embedding mode uses descriptions. Each is the configured
/// language model's answer to the seed paper's question, "What are useful visual features for
/// distinguishing {class} in a video?", asked through `DescriptionExpander`.
///
/// Answers are cached in the label store by model name and class text, so a class text is asked
/// of a model once: later registrations, in this process or in any replica sharing the store,
/// find it there. While one request asks, another wanting the same answer waits for it (a lock
/// in this process, and for a `SharedDescriptionStore` one across replicas). At most
/// `concurrency` questions are in flight in the process, each within the configured timeout and
/// the time the request gives to asking. When no language model is configured, or it fails, the
/// class gets no descriptions and is embedded from its templates; the result says why. Failures
/// are not cached: the next registration asks again.
public final class ClassDescriber: Sendable {
    /// The endpoint; nil when none is configured.
    public let configuration: LLMConfiguration?
    private let expander: DescriptionExpander
    private let store: any LabelStore
    private let limiter: AsyncLimiter
    /// `model \0 class text` of the questions being asked in this process.
    private let asking = Mutex<Set<String>>([])

    /// A class's descriptions and where they came from.
    private struct Answer: Sendable {
        var descriptions: [String]
        var source: DescriptionSource
    }

    /// The first failure of a request's questions that says the endpoint is unwell, after which
    /// the request's other classes are not asked.
    private final class EndpointHealth: Sendable {
        private let failure = Mutex<ExpansionFailure?>(nil)
        var firstFailure: ExpansionFailure? { failure.withLock { $0 } }
        func record(_ failure: ExpansionFailure) { self.failure.withLock { if $0 == nil { $0 = failure } } }
    }

    /// Seconds between looks at the cache while another request asks the same question.
    static let pollInterval = 0.1

    /// - Parameter concurrency: the most questions in flight at once, in this process.
    public init(configuration: LLMConfiguration?, concurrency: Int, store: any LabelStore) {
        self.configuration = configuration
        expander = DescriptionExpander(configuration: configuration)
        self.store = store
        limiter = AsyncLimiter(limit: max(1, concurrency))
    }

    /// Questions shorter than this are not asked: an answer of a few sentences does not come sooner.
    private var shortestQuestion: Double { min(1, configuration?.timeout ?? 1) }

    /// `labels` with descriptions filled in where they came without and `mode` uses them, and
    /// where each label's descriptions came from, in order. Questions are asked only until
    /// `deadline` (`DispatchTime` uptime nanoseconds). Throws only the label store's errors.
    func complete(_ labels: [LabelEntry], mode: ClassEmbeddingMode, deadline: UInt64,
                  logger: Logger) async throws -> (labels: [LabelEntry], sources: [DescriptionSource]) {
        let wanted = labels.filter { $0.descriptions.isEmpty && mode.usesDescriptions }.map(\.label)
        let found = wanted.isEmpty ? [:] : try await describe(wanted, deadline: deadline)
        let fallbacks = found.values.compactMap(\.source.fallback)
        if !fallbacks.isEmpty {
            let reasons = Set(fallbacks.map(\.diagnosis)).sorted().joined(separator: "; ")
            // Without an endpoint the fallback is the configuration's choice, not a fault.
            let level: Logger.Level = configuration == nil ? .info : .warning
            logger.log(level: level, "\(fallbacks.count) of \(wanted.count) classes without descriptions fall back to their templates: \(reasons)")
        }
        var out = labels
        var sources: [DescriptionSource] = []
        for (i, entry) in labels.enumerated() {
            if !entry.descriptions.isEmpty {
                sources.append(.client)
            } else if !mode.usesDescriptions {
                sources.append(.notUsed)
            } else {
                let answer = found[entry.label]!   // `describe` answers every text it is given
                out[i].descriptions = answer.descriptions
                sources.append(answer.source)
            }
        }
        return (out, sources)
    }

    /// Descriptions of each of `texts` (distinct: a set's labels are), and where they came from.
    private func describe(_ texts: [String], deadline: UInt64) async throws -> [String: Answer] {
        guard let configuration else {
            return Dictionary(uniqueKeysWithValues: texts.map { ($0, Answer(descriptions: [], source: .templates(.failed(.notConfigured)))) })
        }
        let model = configuration.model
        var out: [String: Answer] = [:]
        for (text, descriptions) in try await store.cachedDescriptions(llmModel: model, classTexts: texts) {
            out[text] = Answer(descriptions: descriptions, source: .languageModelCache(model: model))
        }
        let missing = texts.filter { out[$0] == nil }
        let health = EndpointHealth()
        try await withThrowingTaskGroup(of: (String, Answer).self) { group in
            var next = missing.makeIterator()
            // No more children than the process may ask at once: the rest start as these end.
            for _ in 0..<limiter.limit {
                guard let text = next.next() else { break }
                group.addTask { (text, try await self.describe(text, model: model, deadline: deadline, health: health)) }
            }
            while let (text, answer) = try await group.next() {
                out[text] = answer
                if let text = next.next() {
                    group.addTask { (text, try await self.describe(text, model: model, deadline: deadline, health: health)) }
                }
            }
        }
        return out
    }

    /// One class text: asked here when no other request or replica asks it, else found in the
    /// cache once the one asking has put it there.
    private func describe(_ text: String, model: String, deadline: UInt64,
                          health: EndpointHealth) async throws -> Answer {
        while true {
            if let failure = health.firstFailure { return Answer(descriptions: [], source: .templates(.endpointFailing(failure))) }
            let left = Self.seconds(until: deadline)
            guard left >= shortestQuestion, await limiter.acquire(waitingAtMost: left - shortestQuestion) else {
                return Answer(descriptions: [], source: .templates(.outOfTime))
            }
            // The place is taken before the locks, so that a lock is never held while waiting for a
            // place (and PostgreSQL connections held by locks stay below `concurrency`).
            let outcome: Answer?
            do { outcome = try await askAlone(text, model: model, deadline: deadline, health: health) } catch {
                limiter.release()
                throw error
            }
            limiter.release()
            if let outcome { return outcome }
            // Cancelled (a sibling failed), the sleep throws and so does this: no spinning till the deadline.
            try await Task.sleep(for: .seconds(min(Self.pollInterval, Self.seconds(until: deadline))))
            if let cached = try await store.cachedDescriptions(llmModel: model, classTexts: [text])[text] {
                return Answer(descriptions: cached, source: .languageModelCache(model: model))
            }
        }
    }

    /// Asks about `text` holding the lock on it in this process and, for a shared store, across
    /// replicas; nil at once when another holds either.
    private func askAlone(_ text: String, model: String, deadline: UInt64,
                          health: EndpointHealth) async throws -> Answer? {
        let key = model + "\u{0}" + text
        guard asking.withLock({ $0.insert(key).inserted }) else { return nil }
        defer { asking.withLock { _ = $0.remove(key) } }
        if let shared = store as? any SharedDescriptionStore {
            return try await shared.ifNoneAsking(llmModel: model, classText: text) {
                try await self.ask(text, model: model, deadline: deadline, health: health)
            }
        }
        return try await ask(text, model: model, deadline: deadline, health: health)
    }

    /// Asks about `text` (holding a place and the locks), unless its answer arrived meanwhile. A
    /// good answer is cached before the locks are let go, so that those waiting find it.
    private func ask(_ text: String, model: String, deadline: UInt64,
                     health: EndpointHealth) async throws -> Answer {
        if let cached = try await store.cachedDescriptions(llmModel: model, classTexts: [text])[text] {
            return Answer(descriptions: cached, source: .languageModelCache(model: model))
        }
        if let failure = health.firstFailure { return Answer(descriptions: [], source: .templates(.endpointFailing(failure))) }
        let left = Self.seconds(until: deadline)
        guard left >= shortestQuestion else { return Answer(descriptions: [], source: .templates(.outOfTime)) }
        let expansion = await expander.ask(text, timeout: left)
        switch expansion.source {
        case .languageModel:
            try await store.storeDescriptions(expansion.descriptions, llmModel: model, classText: text)
            return Answer(descriptions: expansion.descriptions, source: .languageModel(model: model))
        case let .templates(failure):
            if DescriptionFallback.isEndpointFailure(failure) {
                health.record(failure)
            }
            return Answer(descriptions: [], source: .templates(.failed(failure)))
        }
    }

    /// Seconds from now until `deadline` (0 once past).
    private static func seconds(until deadline: UInt64) -> Double {
        let now = DispatchTime.now().uptimeNanoseconds
        return now >= deadline ? 0 : Double(deadline - now) / 1e9
    }
}
