import CoreMetrics
import Foundation
import Metrics
import Prometheus

/// The server's metrics, through swift-metrics into its own Prometheus registry (one per
/// application, so that tests and several apps in one process never share counters), served as
/// text at `GET /metrics`.
final class InboxMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// `change` frames queued to connections (one per change per concerned connection).
    let deliveries: CoreMetrics.Counter
    /// Connections closed because they did not read fast enough (4008).
    let slowConsumerCloses: CoreMetrics.Counter
    let claimWins: CoreMetrics.Counter
    let claimConflicts: CoreMetrics.Counter
    /// From a change's commit to its frame being queued to a connection.
    let changeToPush: CoreMetrics.Timer
    private let connections: CoreMetrics.Gauge
    private let subscriptions: CoreMetrics.Gauge
    private let queuedBytes: CoreMetrics.Gauge

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["switchboard_change_to_push_seconds"] = [
            .microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
        ]
        deliveries = CoreMetrics.Counter(label: "switchboard_deliveries_total", factory: factory)
        slowConsumerCloses = CoreMetrics.Counter(label: "switchboard_slow_consumer_closes_total", factory: factory)
        claimWins = CoreMetrics.Counter(label: "switchboard_claims_total", dimensions: [("outcome", "won")], factory: factory)
        claimConflicts = CoreMetrics.Counter(label: "switchboard_claims_total", dimensions: [("outcome", "conflict")], factory: factory)
        changeToPush = CoreMetrics.Timer(label: "switchboard_change_to_push_seconds", factory: factory)
        connections = CoreMetrics.Gauge(label: "switchboard_connections", factory: factory)
        subscriptions = CoreMetrics.Gauge(label: "switchboard_subscriptions", factory: factory)
        queuedBytes = CoreMetrics.Gauge(label: "switchboard_queued_bytes", factory: factory)
    }

    /// The Prometheus text exposition, with the gauges read from the hub now.
    func exposition(connections: Int, subscriptions: Int, queuedBytes: Int, newDeliveries: Int) -> String {
        deliveries.increment(by: Int64(newDeliveries))
        self.connections.record(connections)
        self.subscriptions.record(subscriptions)
        self.queuedBytes.record(queuedBytes)
        return registry.emitToString()
    }
}
