import Dispatch
import Foundation
import Logging
import STClipModels
import STClipVideo

/// What the handlers share: the configuration, the service's phase and engine, the worker
/// pool, the label catalog, the describer of new classes and the metrics. Its operations are the
/// API's, free of HTTP.
public final class ServiceCore: Sendable {
    public let configuration: ServiceConfiguration
    public let state: ServiceState
    public let pool: WorkerPool
    public let catalog: LabelCatalog
    public let describer: ClassDescriber
    public let metrics: ServiceMetrics
    public let logger: Logger

    /// Texts per text-encoder job, so that embedding a large set does not hold a worker for long
    /// (about a second on one core of a ViT-B text tower) and requests interleave with it.
    static let embeddingBatch = 64

    /// Classes per job in `mode`: a `name` class is one text; the other modes average the eight
    /// prompt templates and a few descriptions, about sixteen texts.
    static func classesPerJob(_ mode: ClassEmbeddingMode) -> Int {
        mode == .name ? embeddingBatch : embeddingBatch / 16
    }

    public init(configuration: ServiceConfiguration, state: ServiceState, catalog: LabelCatalog, logger: Logger,
                metrics: ServiceMetrics? = nil) {
        let metrics = metrics ?? ServiceMetrics(workers: configuration.workers, queueCapacity: configuration.queueDepth)
        self.configuration = configuration
        self.state = state
        self.catalog = catalog
        describer = ClassDescriber(configuration: configuration.languageModel, concurrency: configuration.languageModelConcurrency,
                                   store: catalog.store)
        self.metrics = metrics
        self.logger = logger
        pool = WorkerPool(workers: configuration.workers, queueDepth: configuration.queueDepth) { busy, queued in
            metrics.updatePool(busy: busy, queued: queued)
        }
    }

    /// The engine, or 503 while the model is still loading.
    func readyEngine() throws(ServiceError) -> any InferenceEngine {
        guard let engine = state.engine else {
            throw .unavailable(.notReady, "the model is still loading", retryAfter: 5)
        }
        return engine
    }

    /// A ticket due `requestTimeout` after `start` (the request's arrival).
    func ticket(start: UInt64, clientGone: @escaping @Sendable () -> Bool) -> WorkTicket {
        WorkTicket(deadline: start + UInt64(configuration.requestTimeout * 1e9), clientGone: clientGone)
    }

    // MARK: - Classification

    /// What a classification job hands back (the pixels stay on the worker).
    private struct ClassifyOutcome: Sendable {
        var ranked: [RankedLabel]
        var views: [ViewTimestamps]
        var video: VideoSummary
        var decodeSeconds: Double
        var inferenceSeconds: Double
    }

    /// Samples `video` and ranks the labels of `labelSet` for it. Class embeddings come from
    /// the store; those it lacks for this model (a new model, or a shipped set before the
    /// loader's refresh reached it) are computed first, in small jobs, and stored.
    func classify(video: Data, labelSet name: String, options: SamplingOptions, topK: Int,
                  ticket: WorkTicket, arrival: UInt64, requestID: String, logger: Logger) async throws -> ClassificationDocument {
        let engine = try readyEngine()
        if let fixed = engine.info.fixedFrames, options.frames != fixed {
            throw ServiceError(.unsupportedFrames, "this \(engine.info.type) model takes exactly \(fixed) frames per clip, not \(options.frames)")
        }
        let set = try await catalog.get(name)
        guard !set.labels.isEmpty else { throw ServiceError(.labelSetEmpty, "label set '\(name)' has no labels") }
        let mode = set.embeddingMode
        let keys = set.classes.map { engine.embeddingKey(for: $0, mode: mode) }
        var vectors = try await catalog.store.embeddings(modelID: engine.info.id, keys: Array(Set(keys)))
        let missing = Self.unique(zip(keys, set.classes).filter { vectors[$0.0] == nil })
        var embeddingSeconds = 0.0
        if !missing.isEmpty {
            let start = DispatchTime.now().uptimeNanoseconds
            let computed = try await computeEmbeddings(missing, mode: mode, engine: engine, ticket: ticket)
            embeddingSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            vectors.merge(computed) { $1 }
            // The answer stands without them; they are computed again next time if this fails.
            do { try await catalog.store.storeEmbeddings(EmbeddingBatch(modelID: engine.info.id, vectors: computed)) } catch {
                logger.warning("could not store \(computed.count) class embeddings: \(error)")
            }
        }
        let embeddings = keys.map { vectors[$0]! }
        let labels = set.labels.map(\.label)
        let k = min(topK, labels.count)

        let result = try await pool.submit(ticket) { ticket in
            let decodeStart = DispatchTime.now().uptimeNanoseconds
            let sample = try engine.sample(.data(video), options: options, timeBudget: ticket.remainingSeconds)
            let decodeSeconds = Double(DispatchTime.now().uptimeNanoseconds - decodeStart) / 1e9
            try ticket.checkpoint()
            let inferenceStart = DispatchTime.now().uptimeNanoseconds
            let ranked = try engine.classify(sample, labels: labels, embeddings: embeddings, topK: k)
            return ClassifyOutcome(ranked: ranked, views: sample.views, video: sample.video, decodeSeconds: decodeSeconds,
                                   inferenceSeconds: Double(DispatchTime.now().uptimeNanoseconds - inferenceStart) / 1e9)
        }
        let outcome = result.value
        metrics.recordQueueWait(seconds: result.queueSeconds)
        metrics.recordDecode(seconds: outcome.decodeSeconds)
        metrics.recordInference(seconds: outcome.inferenceSeconds)
        let total = Double(DispatchTime.now().uptimeNanoseconds - arrival) / 1e9
        return ClassificationDocument(
            requestID: requestID, model: ModelDocument(engine.info),
            labelset: .init(name: set.name, version: set.version), topK: outcome.ranked,
            frames: options.frames, views: options.views.description, sampled: outcome.views, video: outcome.video,
            timingsMS: .init(queue: result.queueSeconds * 1e3, decode: outcome.decodeSeconds * 1e3,
                             inference: (embeddingSeconds + outcome.inferenceSeconds) * 1e3, total: total * 1e3))
    }

    // MARK: - Embeddings

    /// L2-normalised text embeddings, in order.
    func embedTexts(_ texts: [String], ticket: WorkTicket) async throws -> TextEmbeddingsDocument {
        let engine = try readyEngine()
        let unique = Array(Set(texts)).sorted()
        var vectors: [String: [Float]] = [:]
        for start in stride(from: 0, to: unique.count, by: Self.embeddingBatch) {
            let batch = Array(unique[start..<min(start + Self.embeddingBatch, unique.count)])
            let result = try await pool.submit(ticket) { _ in try engine.textEmbeddings(batch) }
            metrics.recordQueueWait(seconds: result.queueSeconds)
            metrics.recordInference(seconds: result.runSeconds)
            for (text, vector) in zip(batch, result.value) { vectors[text] = vector }
        }
        let normalised = texts.map { text -> [Float] in
            let v = vectors[text]!
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? v.map { $0 / norm } : v
        }
        return TextEmbeddingsDocument(model: ModelDocument(engine.info), dimension: engine.info.embeddingDimension, embeddings: normalised)
    }

    /// The class embeddings of `classes` (by storage key) computed on the pool, a few texts a job.
    func computeEmbeddings(_ classes: [(String, ClassDefinition)], mode: ClassEmbeddingMode, engine: any InferenceEngine,
                           ticket: WorkTicket) async throws -> [String: [Float]] {
        var out: [String: [Float]] = [:]
        let size = Self.classesPerJob(mode)
        for start in stride(from: 0, to: classes.count, by: size) {
            let batch = Array(classes[start..<min(start + size, classes.count)])
            let result = try await pool.submit(ticket) { _ in try engine.classEmbeddings(batch.map(\.1), mode: mode) }
            metrics.recordQueueWait(seconds: result.queueSeconds)
            metrics.recordInference(seconds: result.runSeconds)
            for ((key, _), vector) in zip(batch, result.value) { out[key] = vector }
        }
        return out
    }

    /// The class embeddings of `classes` in `mode` for the served model that the store lacks,
    /// computed.
    private func missingEmbeddings(for classes: [ClassDefinition], mode: ClassEmbeddingMode, engine: any InferenceEngine,
                                   ticket: WorkTicket) async throws -> EmbeddingBatch {
        let keyed = classes.map { (engine.embeddingKey(for: $0, mode: mode), $0) }
        let stored = try await catalog.store.embeddings(modelID: engine.info.id, keys: Array(Set(keyed.map(\.0))))
        let missing = Self.unique(keyed.filter { stored[$0.0] == nil })
        return EmbeddingBatch(modelID: engine.info.id,
                              vectors: try await computeEmbeddings(missing, mode: mode, engine: engine, ticket: ticket))
    }

    /// The first class of each key.
    private static func unique(_ keyed: some Sequence<(String, ClassDefinition)>) -> [(String, ClassDefinition)] {
        var seen = Set<String>()
        return keyed.filter { seen.insert($0.0).inserted }
    }

    // MARK: - Label sets

    /// A registration's result: the stored set, whether it was created, and where the
    /// descriptions of the labels it registered came from, by label.
    typealias Registration = (set: LabelSet, created: Bool, sources: [String: DescriptionSource])

    /// Until when a registration may ask the language model for descriptions: half the time
    /// its request has left, the other half kept for the class embeddings and the store.
    static func askingDeadline(_ ticket: WorkTicket) -> UInt64 {
        let now = DispatchTime.now().uptimeNanoseconds
        return ticket.deadline <= now ? now : now + (ticket.deadline - now) / 2
    }

    /// Creates or replaces a set. Labels without descriptions in a mode that uses them are
    /// described by the language model first (or fall back to their templates); a precondition
    /// that already fails is refused before anything is asked.
    func putLabelSet(_ name: String, labels: [LabelEntry], mode: ClassEmbeddingMode, precondition: VersionPrecondition,
                     ticket: WorkTicket) async throws -> Registration {
        try catalog.checkWritable(name)
        try LabelValidation.validate(labels)
        let engine = try readyEngine()
        if precondition != .none {
            let current = try await catalog.store.labelSet(named: name)?.version
            guard precondition.isMet(by: current) else { throw LabelStoreError.preconditionFailed(current: current) }
        }
        let described = try await describer.complete(labels, mode: mode, deadline: Self.askingDeadline(ticket), logger: logger)
        let classes = described.labels.map { ClassDefinition(name: $0.label, descriptions: $0.descriptions) }
        let batch = try await missingEmbeddings(for: classes, mode: mode, engine: engine, ticket: ticket)
        let (set, created) = try await catalog.store.putLabelSet(named: name, labels: described.labels, mode: mode, embeddings: batch,
                                                                 precondition: precondition)
        return (set, created, Dictionary(uniqueKeysWithValues: zip(labels.map(\.label), described.sources)))
    }

    /// Adds or replaces one label, described as `putLabelSet` describes labels.
    func putLabel(_ entry: LabelEntry, inSet name: String, precondition: VersionPrecondition,
                  ticket: WorkTicket) async throws -> Registration {
        try catalog.checkWritable(name)
        try LabelValidation.validate(entry)
        let engine = try readyEngine()
        guard let current = try await catalog.store.labelSet(named: name) else { throw LabelStoreError.labelSetNotFound(name) }
        guard precondition.isMet(by: current.version) else { throw LabelStoreError.preconditionFailed(current: current.version) }
        if current.labels.count >= LabelValidation.maxLabels && !current.labels.contains(where: { $0.label == entry.label }) {
            throw ServiceError(.invalidBody, "label set '\(name)' already has the maximum of \(LabelValidation.maxLabels) labels")
        }
        let described = try await describer.complete([entry], mode: current.embeddingMode, deadline: Self.askingDeadline(ticket),
                                                     logger: logger)
        let completed = described.labels[0]
        let batch = try await missingEmbeddings(for: [ClassDefinition(name: completed.label, descriptions: completed.descriptions)],
                                                mode: current.embeddingMode, engine: engine, ticket: ticket)
        let (set, created) = try await catalog.store.putLabel(completed, inSet: name, embeddings: batch, precondition: precondition)
        return (set, created, [completed.label: described.sources[0]])
    }

    func deleteLabelSet(_ name: String, precondition: VersionPrecondition) async throws {
        try catalog.checkWritable(name)
        try await catalog.store.deleteLabelSet(named: name, precondition: precondition)
    }

    func deleteLabel(_ label: String, fromSet name: String, precondition: VersionPrecondition) async throws -> LabelSet {
        try catalog.checkWritable(name)
        return try await catalog.store.deleteLabel(label, fromSet: name, precondition: precondition)
    }

    /// Computes and stores the class embeddings of every label set that the served model lacks
    /// (after a model change, or for the built-in sets on first start). Returns how many.
    func refreshEmbeddings(engine: any InferenceEngine) async throws -> Int {
        var sets = Array(catalog.builtins.values)
        for summary in try await catalog.store.listLabelSets() where catalog.builtins[summary.name] == nil {
            if let set = try await catalog.store.labelSet(named: summary.name) { sets.append(set) }
        }
        let ticket = WorkTicket(seconds: 24 * 3600)
        var computed = 0
        for mode in ClassEmbeddingMode.allCases {
            let classes = sets.filter { $0.embeddingMode == mode }.sorted { $0.name < $1.name }.flatMap(\.classes)
            guard !classes.isEmpty else { continue }
            let batch = try await missingEmbeddings(for: classes, mode: mode, engine: engine, ticket: ticket)
            try await catalog.store.storeEmbeddings(batch)
            computed += batch.vectors.count
        }
        return computed
    }
}
