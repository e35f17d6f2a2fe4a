import Logging
import Metrics
import Prometheus

/// Process-wide setup for `stclip serve`, done once before the service starts: log lines to
/// stderr at the configured level, and swift-metrics reporting into the service's Prometheus
/// registry (for metrics that libraries emit).
public enum ProcessBootstrap {
    /// Bootstraps swift-log and returns the service's logger.
    public static func logging(level: String) -> Logger {
        let level = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "stclip")
    }

    /// Bootstraps swift-metrics onto `application`'s registry, so `/metrics` shows every metric.
    public static func metrics(for application: ServiceApplication) {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: application.core.metrics.registry))
    }
}
