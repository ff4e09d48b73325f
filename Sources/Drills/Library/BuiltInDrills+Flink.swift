extension BuiltInDrills {
    /// The drills on a Flink cluster (`[target] kind = "flink"`): the lab's payments job unless
    /// the file names a URL. Times suit the lab: 1 s checkpoints, 1 s heartbeats with a 5 s
    /// timeout, a 1 s restart delay, the job's parallelism 2 on 2 TaskManagers of 2 slots.
    public static let flink: [(name: String, text: String)] = [
        ("flink-tm-kill", """
            name = "flink-tm-kill"
            description = "A Flink TaskManager dies (SIGKILL): Flink sees the loss, restarts the job from its newest checkpoint on the slots left, and the committed output stays exactly-once."
            hypothesis = "Flink's checkpoints and its two-phase file sink make a TaskManager's death invisible in the output: no transfer lost, none committed twice."
            duration = "40s"

            [target]
            kind = "flink"

            [steady_state]
            for = "3s"
            all_healthy = true

            [[step]]
            at = "5s"
            command = "kill tm busiest"
            caption = "The TaskManager running the most subtasks dies without warning (SIGKILL): its tasks, buffers and in-flight files are gone."

            [[step]]
            at = "25s"
            command = "heal all"
            caption = "A replacement TaskManager with the same id registers: the lab is whole again."

            [expect]
            exactly_once = true
            money_conserved = true
            loss_seen_within = "5s"
            running_within = "15s"
            all_tasks_within = "25s"
            checkpoint_within = "30s"
            max_restarts = 3
            restored_checkpoint = "newest"
            """),
        ("flink-tm-hang", """
            name = "flink-tm-hang"
            description = "A Flink TaskManager hangs (SIGSTOP): alive, sockets open, silent. Flink waits out the 5 s heartbeat timeout, then restarts the job without it; after SIGCONT it registers again."
            hypothesis = "A hung TaskManager costs the heartbeat timeout, not the data: the output stays exactly-once."
            duration = "45s"

            [target]
            kind = "flink"

            [steady_state]
            for = "3s"
            all_healthy = true

            [[step]]
            at = "5s"
            command = "hang tm busiest"
            caption = "The TaskManager running the most subtasks stops (SIGSTOP): no task runs and no heartbeat goes out, but nothing breaks a connection."

            [[step]]
            at = "25s"
            command = "heal all"
            caption = "SIGCONT: it wakes up, finds itself dropped, and registers again (or, if it exited, a replacement starts)."

            [expect]
            exactly_once = true
            money_conserved = true
            loss_seen_within = "12s"
            running_within = "20s"
            checkpoint_within = "35s"
            max_restarts = 3
            restored_checkpoint = "newest"
            """),
        ("flink-checkpoint-rot", """
            name = "flink-checkpoint-rot"
            description = "One bit rots in the newest Flink checkpoint, then a TaskManager dies: Flink restores the rotten state with no checksum to catch it. Passes when firedrill tells what Flink did."
            hypothesis = "Flink restores whatever bytes it finds. Whatever follows (a silent duplicate, gap or wrong balance, an empty state, or a restart loop), firedrill's live verdict says it and matches an independent recount."
            duration = "40s"

            [target]
            kind = "flink"

            [steady_state]
            for = "3s"
            all_healthy = true

            [[step]]
            at = "5s"
            command = "corrupt checkpoint latest"
            caption = "One bit flips in the biggest state file of the newest retained checkpoint (with RocksDB, often a shared/ SST file it refers to): Flink keeps no checksum of it."

            [[step]]
            at = "5s"
            command = "kill tm busiest"
            caption = "The busiest TaskManager dies: Flink must restore the job's state from that checkpoint."

            [[step]]
            at = "25s"
            command = "heal all"
            caption = "A replacement TaskManager registers."

            [expect]
            exactly_once = false
            money_conserved = false
            tells_truth = true
            """),
        ("flink-checkpoint-rot-guarded", """
            name = "flink-checkpoint-rot-guarded"
            description = "The same rot and kill as flink-checkpoint-rot, with firedrill's guard on: the rotten file is rebuilt from Reed-Solomon parity before Flink restores it, and the output stays exactly-once."
            hypothesis = "A CRC32C per checkpoint file and RS(10+2) parity beside them turn Flink's silent corruption into a repair: Flink restores the corrupted checkpoint, whole again."
            duration = "40s"

            [target]
            kind = "flink"
            guard = true

            [steady_state]
            for = "3s"
            all_healthy = true

            [[step]]
            at = "5s"
            command = "corrupt checkpoint latest"
            caption = "One bit flips in the biggest state file of the newest retained checkpoint (with RocksDB, often a shared/ SST file it refers to); the guard has its CRC32C and parity."

            [[step]]
            at = "5s"
            command = "kill tm busiest"
            caption = "The busiest TaskManager dies: the guard checks and repairs the checkpoint before Flink restores it."

            [[step]]
            at = "25s"
            command = "heal all"
            caption = "A replacement TaskManager registers."

            [expect]
            exactly_once = true
            money_conserved = true
            guard_repaired = true
            running_within = "15s"
            restored_checkpoint = "corrupted"
            tells_truth = true
            """),
    ]
}
