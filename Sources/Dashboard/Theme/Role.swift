/// Everything on screen that a theme colours: a section of the theme file and a key in it.
public enum Role: String, Sendable, CaseIterable, Hashable {
    // [ui]
    case text = "ui.text", muted = "ui.muted", border = "ui.border", title = "ui.title"
    case header = "ui.header", selected = "ui.selected", key = "ui.key", hint = "ui.hint"
    case ok = "ui.ok", warning = "ui.warning", bad = "ui.bad", overlay = "ui.overlay", input = "ui.input"
    // [node]
    case nodeHealthy = "node.healthy", nodeSuspect = "node.suspect", nodeDown = "node.down"
    case nodeRecovering = "node.recovering", nodeHung = "node.hung", nodeSlow = "node.slow"
    case nodePartitioned = "node.partitioned", nodeQuarantined = "node.quarantined", nodeDead = "node.dead"
    // [checkpoint]
    case checkpointComplete = "checkpoint.complete", checkpointInProgress = "checkpoint.in-progress"
    case checkpointFailed = "checkpoint.failed", checkpointRestored = "checkpoint.restored"
    // [integrity]
    case integrityOK = "integrity.ok", integrityBad = "integrity.bad", integrityRepaired = "integrity.repaired"
    // [event]
    case eventInfo = "event.info", eventOperator = "event.operator", eventDetection = "event.detection"
    case eventRecovery = "event.recovery", eventRepair = "event.repair", eventError = "event.error"
    case eventCheckpoint = "event.checkpoint", eventCommit = "event.commit", eventAudit = "event.audit", eventRestore = "event.restore"
    // [graph]
    case graphProduced = "graph.produced", graphCommitted = "graph.committed", graphAxis = "graph.axis"
    case graphBand = "graph.band", graphRecovery = "graph.recovery"
    // [technique]
    case techniqueSelfHealing = "technique.self-healing", techniqueReplication = "technique.replication"
    case techniqueCheckAndCorrect = "technique.check-and-correct", techniqueErasureCode = "technique.erasure-code"
    case techniqueCheckpoint = "technique.checkpoint", techniqueAudit = "technique.audit", techniqueOperator = "technique.operator"

    /// The theme file's section.
    public var section: String { String(rawValue.prefix { $0 != "." }) }
    /// The key inside the section.
    public var key: String { String(rawValue.drop { $0 != "." }.dropFirst()) }

    /// The sections a theme file may have besides `[palette]`.
    public static let sections = ["ui", "node", "checkpoint", "integrity", "event", "graph", "technique"]

    /// What the key colours, for `themes/default.toml` and errors.
    public var meaning: String {
        switch self {
        case .text: "ordinary text"
        case .muted: "labels, units, secondary text"
        case .border: "panel borders"
        case .title: "panel titles"
        case .header: "the header bar"
        case .selected: "the selected row of the nodes table"
        case .key: "key names in the footer and help"
        case .hint: "what a key does, in the footer"
        case .ok: "good news: exact, conserved"
        case .warning: "something to watch: recovering, degraded, confirmations"
        case .bad: "bad news: not exact, money not conserved"
        case .overlay: "help and command line overlays"
        case .input: "text being typed on the command line"
        case .nodeHealthy: "a healthy node"
        case .nodeSuspect: "a node whose heartbeats are late (phi rising)"
        case .nodeDown: "a node marked down"
        case .nodeRecovering: "a node restoring state"
        case .nodeHung: "a hung (paused) node"
        case .nodeSlow: "a slowed node"
        case .nodePartitioned: "a node cut off from the network"
        case .nodeQuarantined: "a node the supervisor gave up on"
        case .nodeDead: "a killed node not yet restarted"
        case .checkpointComplete: "a complete checkpoint"
        case .checkpointInProgress: "a checkpoint being taken"
        case .checkpointFailed: "a failed checkpoint"
        case .checkpointRestored: "the checkpoint restored from"
        case .integrityOK: "intact shards and frames"
        case .integrityBad: "corrupt or missing shards, bad frames"
        case .integrityRepaired: "repaired shards, retransmitted frames"
        case .eventInfo: "informational events"
        case .eventOperator: "operator actions"
        case .eventDetection: "detections (down nodes, bad shards, bad frames)"
        case .eventRecovery: "recovery phases"
        case .eventRepair: "repairs"
        case .eventError: "errors"
        case .eventCheckpoint: "checkpoint events"
        case .eventCommit: "sink commits"
        case .eventAudit: "audit results"
        case .eventRestore: "restores"
        case .graphProduced: "the produced series of the throughput graph"
        case .graphCommitted: "the committed series of the throughput graph"
        case .graphAxis: "graph axes and labels"
        case .graphBand: "the shading of a fault's interval on the graph (injected to healed)"
        case .graphRecovery: "a recovery's mark and a fault band's label on the graph"
        case .techniqueSelfHealing: "receipt steps by self-healing (failure detector, supervisor)"
        case .techniqueReplication: "receipt steps by replication (standby copies)"
        case .techniqueCheckAndCorrect: "receipt steps by check and correct (CRC32C, retransmit)"
        case .techniqueErasureCode: "receipt steps by the erasure code (Reed-Solomon shards)"
        case .techniqueCheckpoint: "receipt steps by checkpoints (rollback, replay)"
        case .techniqueAudit: "receipt steps by the auditor (the proof)"
        case .techniqueOperator: "receipt steps by the operator (heal)"
        }
    }
}
