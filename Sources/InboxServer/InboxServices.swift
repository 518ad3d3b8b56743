import InboxCore
import InboxStore
import Logging

/// Everything the routes and sockets act through, built once per application: the real-time
/// side, the commands with their rules, bulk runs, automations, the intake of customer
/// messages and the outbound dispatcher. HTTP and WebSocket share these very instances, so an
/// action behaves the same whichever way it arrives.
struct InboxServices<Store: InboxStore>: Sendable {
    let store: Store
    let configuration: ServerConfiguration
    let realtime: Realtime<Store>
    let commands: ConversationCommands<Store>
    let automations: AutomationRunner<Store>
    let intake: InboundIntake<Store>
    let bulk: BulkRunner<Store>
    let dispatcher: OutboundDispatcher<Store>
    let metrics = InboxMetrics()

    init(store: Store, configuration: ServerConfiguration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        let dispatcher = OutboundDispatcher(store: store, configuration: configuration.delivery, logger: logger, now: configuration.now)
        let signal: @Sendable () -> Void = { dispatcher.wake() }
        let hub = RealtimeHub(store: store, configuration: configuration.realtime, metrics: metrics, now: configuration.now)
        commands = ConversationCommands(store: store, replyPolicy: configuration.replyPolicy, outboxSignal: signal, metrics: metrics)
        automations = AutomationRunner(store: store, outboxSignal: signal)
        intake = InboundIntake(store: store, automations: automations, logger: logger)
        bulk = BulkRunner(store: store, commands: commands, automations: automations, hub: hub, logger: logger)
        dispatcher.attachSandbox(SandboxAdapter(store: store, intake: intake, logger: logger))
        self.dispatcher = dispatcher
        realtime = Realtime(store: store, configuration: configuration, hub: hub, commands: commands, bulk: bulk)
    }
}
