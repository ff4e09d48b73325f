import Engine
import Flink

/// An attached Flink cluster as the dashboard's source: the observer's snapshot, and the
/// operator's keys and commands carried out on the real cluster.
public final class FlinkSource: LiveSource {
    public let observer: FlinkObserver
    public let actions: FlinkActions

    public init(observer: FlinkObserver, actions: FlinkActions) {
        self.observer = observer
        self.actions = actions
    }

    public func snapshot() -> ClusterSnapshot { observer.snapshot() }

    public func apply(_ command: Command) throws(CommandError) {
        switch command {
        // `D` (corrupt the shard on the selected disk) means the newest checkpoint here.
        case let .corruptShard(ref, _): try actions.apply(.corruptCheckpoint(ref, file: nil))
        default: try actions.apply(command)
        }
    }

    public func drillStatus() -> ViewModel.DrillStatus? { nil }
    public func setSchedulePaused(_ paused: Bool) -> Bool { false }
    public func pacer() -> (any TimeControl)? { nil }
    public func abort() -> String {
        do throws(CommandError) { return "aborted: " + (try actions.apply(.heal(nil))) } catch { return "abort: \(error.description)" }
    }
}
