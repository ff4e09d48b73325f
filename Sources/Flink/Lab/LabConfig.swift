/// The lab's `config.yaml` (Flink 2.x key names), every server bound to 127.0.0.1.
public struct LabConfig: Sendable, Equatable {
    public var directory: String
    public var restPort: Int
    public var rpcPort: Int
    public var slots: Int
    public var parallelism: Int
    /// The JVM options of the wheel's own config.yaml (module opens Flink needs on Java 17).
    public var javaOptions: String
    public var stateBackend: StateBackend = .hashmap

    /// The job's state backend, which decides what a checkpoint's files are.
    public enum StateBackend: String, Sendable, Equatable, CaseIterable {
        /// Heap state, written whole into `chk-N/` at every checkpoint.
        case hashmap
        /// RocksDB with incremental checkpoints: each checkpoint uploads only the SST files
        /// that are new into the job's `shared/` directory and refers to older ones there.
        case rocksdb
    }

    public var checkpoints: String { directory + "/checkpoints" }
    public var savepoints: String { directory + "/savepoints" }

    public var yaml: String {
        """
        # Written by firedrill flink up; rewritten on every start.
        env:
          java:
            opts:
              all: \(javaOptions)
          pid:
            dir: \(directory)/run
          log:
            dir: \(directory)/log
        io:
          tmp:
            dirs: \(directory)/tmp
        jobmanager:
          bind-host: 127.0.0.1
          rpc:
            address: 127.0.0.1
            port: \(rpcPort)
          memory:
            process:
              size: 1024m
          execution:
            failover-strategy: region
        taskmanager:
          bind-host: 127.0.0.1
          host: 127.0.0.1
          numberOfTaskSlots: \(slots)
          # The job's slots spread over the TaskManagers: killing any one hits the job.
          load-balance:
            mode: SLOTS
          memory:
            process:
              size: 1024m
        parallelism:
          default: \(parallelism)
        # A TaskManager that starts before the ResourceManager answers retries after
        # error-delay (10 s by default): on 2 cores the JobManager is often that late.
        cluster:
          registration:
            initial-timeout: 100ms
            max-timeout: 2s
            error-delay: 500ms
            refused-registration-delay: 500ms
        # REST answers about a job come from a cache of its execution graph that lives
        # web.refresh-interval (3 s by default): a restart could look 3 s late.
        web:
          refresh-interval: 250ms
        # The JobManager fetches TaskManagers' metrics for REST every 10 s by default.
        metrics:
          fetcher:
            update-interval: 1s
        rest:
          address: 127.0.0.1
          bind-address: 127.0.0.1
          port: \(restPort)
        blob:
          server:
            port: "\(rpcPort + 1)"
        heartbeat:
          interval: 1000
          timeout: 5000
        execution:
          checkpointing:
            interval: 1s
            dir: file://\(checkpoints)
            savepoint-dir: file://\(savepoints)
            num-retained: 3
            # State in files of its own, not inline in _metadata: a rotted bit lands in state.
            data-inline-threshold: 0b
            externalized-checkpoint-retention: RETAIN_ON_CANCELLATION
            # RocksDB's checkpoints upload only new SST files (into shared/); heap state ignores it.
            incremental: \(stateBackend == .rocksdb)
        state:
          backend:
            type: \(stateBackend.rawValue)
        # Bounded by rate, not in total: a lab takes kill after kill for as long as it runs,
        # and a restart loop (a checkpoint that cannot be restored) still ends FAILED.
        restart-strategy:
          type: failure-rate
          failure-rate:
            max-failures-per-interval: 12
            failure-rate-interval: 1min
            delay: 1s

        """
    }
}
