import Prometheus

/// The service's Prometheus metrics, on a registry of its own (so that several services can run
/// in one test process), rendered by `GET /metrics`. Names follow Prometheus conventions:
/// `stclip_` prefix, base units (seconds), `_total` for counters.
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let queueWait: DurationHistogram
    private let decode: DurationHistogram
    private let inference: DurationHistogram
    private let queueDepth: Gauge
    private let workersBusy: Gauge

    /// Bucket bounds from 5 ms to 2 min: decoding and inference on a CPU take 10 ms to tens of seconds.
    static let buckets: [Duration] = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                      .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120)]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), workers: Int, queueCapacity: Int) {
        self.registry = registry
        queueWait = registry.makeDurationHistogram(descriptor: Self.name("queue_wait_duration", unit: "seconds",
                                                   help: "Time inference jobs waited for a worker."), labels: [], buckets: Self.buckets)
        decode = registry.makeDurationHistogram(descriptor: Self.name("decode_duration", unit: "seconds",
                                                help: "Time spent decoding and preprocessing uploaded videos."), labels: [], buckets: Self.buckets)
        inference = registry.makeDurationHistogram(descriptor: Self.name("inference_duration", unit: "seconds",
                                                   help: "Time the model spent on a job (text embeddings and video scoring)."),
                                                   labels: [], buckets: Self.buckets)
        queueDepth = registry.makeGauge(descriptor: Self.name("queue_depth", unit: "", help: "Inference jobs waiting for a worker."), labels: [])
        workersBusy = registry.makeGauge(descriptor: Self.name("workers_busy", unit: "", help: "Workers running an inference job."), labels: [])
        registry.makeGauge(descriptor: Self.name("workers", unit: "", help: "Inference workers configured."), labels: []).set(to: Double(workers))
        registry.makeGauge(descriptor: Self.name("queue_capacity", unit: "", help: "Inference jobs that may wait for a worker."), labels: [])
            .set(to: Double(queueCapacity))
    }

    /// Counts a finished request and records its duration.
    public func recordRequest(route: String, method: String, status: Int, seconds: Double) {
        registry.makeCounter(descriptor: Self.name("http_requests", unit: "total", help: "HTTP requests answered, by route template, method and status."),
                             labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Self.name("http_request_duration", unit: "seconds",
                                                        help: "Time from request head to response, by route template and method."),
                                       labels: [("route", route), ("method", method)], buckets: Self.buckets)
            .record(.nanoseconds(Int64(seconds * 1e9)))
    }

    public func recordQueueWait(seconds: Double) { queueWait.record(.nanoseconds(Int64(seconds * 1e9))) }
    public func recordDecode(seconds: Double) { decode.record(.nanoseconds(Int64(seconds * 1e9))) }
    public func recordInference(seconds: Double) { inference.record(.nanoseconds(Int64(seconds * 1e9))) }

    /// The worker pool's observer.
    public func updatePool(busy: Int, queued: Int) {
        workersBusy.set(to: Double(busy))
        queueDepth.set(to: Double(queued))
    }

    /// `stclip_model_info{model_id, model_type} 1` once the model is loaded.
    public func recordModel(_ info: ModelInfo) {
        registry.makeGauge(descriptor: Self.name("model_info", unit: "", help: "The served model; always 1."),
                           labels: [("model_id", info.id), ("model_type", info.type)]).set(to: 1)
    }

    /// `stclip_<name>_<unit>` with its help text.
    private static func name(_ name: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "stclip", metricName: name, unitName: unit, helpText: help)
    }

    /// The Prometheus text exposition.
    public func render() -> String { registry.emitToString() }
}
