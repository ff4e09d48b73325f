/// The drills that ship with firedrill: at least one per protection technique, and the hard
/// combinations. Each is the text of a drill file (`firedrill drill --show NAME` prints
/// it), parsed like any other, so they double as examples.
public enum BuiltInDrills {
    /// (name, file text), in the order `--list` shows them: the embedded engine's, then Flink's.
    public static let all: [(name: String, text: String)] = engine + flink

    /// The drills on the embedded engine.
    public static let engine: [(name: String, text: String)] = [
        ("kill-one", """
            name = "kill-one"
            description = "A node dies; the detector notices, the supervisor restarts it, its state comes back from a standby copy."
            duration = "8s"

            [job]
            nodes = 6
            ec = "4+2"
            replicas = 1
            checkpoint_interval = "1s"
            seed = 7

            [[step]]
            at = "3s"
            command = "kill 2"
            caption = "Node 2 dies without warning: its memory and queues are gone."

            [expect]
            exactly_once = true
            money_conserved = true
            max_detection = "300ms"
            max_recovery = "2.5s"
            min_throughput_after = "90%"
            restored_from = "standby"
            events = ["node-down", "restarted", "recovered"]
            """),
        ("hung-node", """
            name = "hung-node"
            description = "A node hangs (alive, but silent): phi-accrual marks it down and the hung incarnation is replaced."
            duration = "8s"

            [job]
            seed = 11

            [[step]]
            at = "3s"
            command = "hang 4"
            caption = "Node 4 stops processing and heartbeating, but its process is still there."

            [expect]
            max_detection = "300ms"
            max_recovery = "2.5s"
            events = ["node-down", "recovered"]
            """),
        ("slow-node", """
            name = "slow-node"
            description = "A node slows down: backpressure fills its queues, but it keeps heartbeating and is not marked down."
            duration = "7s"

            [job]
            rate = 400000
            seed = 12

            [[step]]
            at = "2s"
            command = "slow 1 20ms"
            caption = "Node 1 sleeps 20 ms per batch: watch its queue depth climb."

            [[step]]
            at = "5s"
            command = "heal 1"
            caption = "Node 1 is fast again; the queues drain."

            [expect]
            absent_events = ["node-down", "recovered"]
            """),
        ("bitflip-link", """
            name = "bitflip-link"
            description = "Bits flip on the wire: the receiver's CRC32C catches each bad frame and asks for it again (check and correct)."
            duration = "6s"

            [job]
            seed = 13

            [[step]]
            at = "2s"
            command = "corrupt frame 0"
            caption = "One bit of a frame from node 0 flips in flight."

            [[step]]
            at = "2.5s"
            command = "corrupt frame 0"

            [[step]]
            at = "3s"
            command = "corrupt frame 0"
            caption = "A third bad frame in 10 s: the link is marked degraded."

            [expect]
            events = ["retransmit", "link-degraded"]
            absent_events = ["node-down", "recovered"]
            """),
        ("shard-rot", """
            name = "shard-rot"
            description = "Bit rot in stored checkpoint shards: the background scrubber finds each bad CRC and rewrites the shard from the others."
            duration = "7s"

            [job]
            seed = 14

            [[step]]
            at = "3s"
            command = "corrupt shard latest 1"
            caption = "A bit flips in shard 1 of the newest checkpoint, on disk."

            [[step]]
            at = "4s"
            command = "corrupt shard latest 4"
            caption = "And in a parity shard of the next one."

            [expect]
            events = ["shard-bad", "shard-repaired"]
            absent_events = ["node-down"]
            """),
        ("sink-rot", """
            name = "sink-rot"
            description = "Bit rot in the sink's database while the job runs: SQLite finds the page broken, the engine rebuilds the sink from the checkpoint it is committing, and the audit proves every balance."
            duration = "7s"

            [job]
            seed = 16

            [[step]]
            at = "3s"
            command = "corrupt sink"
            caption = "A bit rots in the sink's database where every read of a balance starts (the balances table's root page; in memory, its schema record): SQLite keeps no checksum of its pages."

            [expect]
            exactly_once = true
            money_conserved = true
            events = ["sink-rebuilt"]
            absent_events = ["node-down", "recovered"]
            """),
        ("sink-shuffle", """
            name = "sink-shuffle"
            description = "Money moves between two committed rows of the sink behind the engine's back, and an update between two rows' counts: the file stays valid, the money and the update total conserved, so only the auditor's row-by-row comparison can tell, and it must."
            duration = "7s"

            [job]
            seed = 17
            rate = 50
            accounts = 100000

            [[step]]
            at = "3s"
            command = "corrupt rows"
            caption = "100 moves from one account's committed row to another's, one update from a row's count to another's, in one SQL transaction: SQLite sees valid pages, the sums are unchanged."

            [expect]
            # The verdict stays wrong until the job writes those rows again (a later commit
            # of the same accounts heals them, and may leave money unbalanced for a while):
            # what must hold is that the auditor says so.
            exactly_once = false
            money_conserved = false
            events = ["audit-mismatch"]
            absent_events = ["node-down", "recovered", "sink-rebuilt"]
            """),
        ("disk-wipe", """
            name = "disk-wipe"
            description = "A node's disk is wiped and then the node dies: its state comes from a peer's standby copy, its shards are rebuilt from the others."
            duration = "9s"

            [job]
            replicas = 1
            seed = 15

            [[step]]
            at = "3s"
            command = "wipe 3"
            caption = "Node 3's disk is gone: every shard on it."

            [[step]]
            at = "4s"
            command = "kill 3"
            caption = "Then node 3 itself dies."

            [expect]
            max_recovery = "2.5s"
            restored_from = "standby"
            events = ["shard-repaired", "node-down", "recovered"]
            """),
        ("two-disks-lost", """
            name = "two-disks-lost"
            description = "Two disks are wiped (as many as RS(4,2) tolerates) and a node dies with no standby copies: its state is rebuilt from 4 of 6 shards."
            duration = "8s"

            [job]
            replicas = 0
            ec = "4+2"
            checkpoint_interval = "2s"
            seed = 16

            [[step]]
            at = "3s"
            command = "wipe 1"
            caption = "Disk 1 is wiped."

            [[step]]
            at = "3s"
            command = "wipe 2"
            caption = "And disk 2: two shards of every checkpoint are gone."

            [[step]]
            at = "3s"
            command = "kill 4"
            caption = "Node 4 dies; with no standby copy its state must come from the shards."

            [expect]
            max_recovery = "4.5s"
            restored_from = "shards"
            events = ["node-down", "recovered"]
            """),
        ("restore-through-rot", """
            name = "restore-through-rot"
            description = "Two data shards of the newest checkpoint are damaged, a node dies and the operator rolls the job back at once, before the scrubber can mend them: with no standby copy the node's state must be rebuilt by Reed-Solomon from the shards that check, not taken from an older checkpoint."
            duration = "7s"

            [job]
            replicas = 0
            ec = "4+2"
            seed = 18

            [[step]]
            at = "3s"
            command = "corrupt shard latest 0"
            caption = "A bit flips in data shard 0 of the newest checkpoint."

            [[step]]
            at = "3s"
            command = "delete shard latest 1"
            caption = "Data shard 1 is gone: two of four data shards, as many as the parity covers."

            [[step]]
            at = "3s"
            command = "kill 4"
            caption = "Node 4 dies; with no standby copy its state must come from the shards."

            [[step]]
            at = "3s"
            command = "recover"
            caption = "The operator rolls back at once, before the scrubber has mended a shard."

            [expect]
            restored_from = "shards"
            events = ["recovered"]
            absent_events = ["fallback"]
            """),
        ("kill-during-checkpoint", """
            name = "kill-during-checkpoint"
            description = "A node dies while a checkpoint of a million accounts is being taken: the checkpoint is abandoned, the job rolls back to the one before."
            duration = "9s"

            [job]
            # Half the default rate: the replay from the checkpoint before must overtake
            # the sources on a shared two-core machine too (at 1M/s beside a busy neighbour
            # the host could not keep up even without the fault).
            rate = 500000
            accounts = 1000000
            checkpoint_interval = "2s"
            seed = 17

            [[step]]
            at = "4s"
            command = "checkpoint"
            caption = "A checkpoint starts..."

            [[step]]
            at = "4.02s"
            command = "kill 5"
            caption = "...and node 5 dies before it completes."

            [expect]
            max_recovery = "4.5s"
            events = ["node-down", "recovered"]
            """),
        ("cascade", """
            name = "cascade"
            description = "Three nodes fail within two seconds, the later ones while the job is still recovering from the first."
            duration = "10s"

            [job]
            seed = 18

            [[step]]
            at = "3s"
            command = "kill 1"
            caption = "Node 1 dies."

            [[step]]
            at = "3.7s"
            command = "kill 3"
            caption = "Node 3 dies during the recovery."

            [[step]]
            at = "4.4s"
            command = "hang 5"
            caption = "Node 5 hangs."

            [expect]
            max_recovery = "4s"
            min_throughput_after = "90%"
            events = ["node-down", "recovered"]
            """),
        ("beyond-tolerance", """
            name = "beyond-tolerance"
            description = "Three shards of the newest checkpoint rot (RS(4,2) survives two) and a node dies with no standby copy: the engine must say the checkpoint was unrecoverable and fall back to the one before, still exactly once. The job is slow (200 transfers a second over 1,000 accounts), so the sink already holds accounts the older checkpoint never saw: the first commit after the fallback must drop their rows."
            duration = "10s"

            [job]
            replicas = 0
            checkpoint_interval = "2s"
            rate = 200
            accounts = 1000
            seed = 19

            [[step]]
            at = "5.3s"
            command = "corrupt shard latest 0"
            caption = "Shards 0, 1 and 2 of the newest checkpoint rot at once: more than m = 2."

            [[step]]
            at = "5.3s"
            command = "corrupt shard latest 1"

            [[step]]
            at = "5.3s"
            command = "corrupt shard latest 2"

            [[step]]
            at = "5.3s"
            command = "kill 0"
            caption = "Node 0 dies and has no standby copy: its state must come from those shards."

            [expect]
            restored_from = "previous"
            events = ["node-down", "fallback", "recovered"]
            """),
    ]

    /// The drill called `name`, parsed.
    public static func drill(_ name: String) throws(FileError) -> Drill? {
        guard let entry = all.first(where: { $0.name == name }) else { return nil }
        return try DrillParser(file: "built-in \(name)").parse(entry.text)
    }
}
