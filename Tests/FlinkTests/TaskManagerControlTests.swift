import Engine
@testable import Flink
import Testing

@Suite("TaskManager processes and command templates")
struct TaskManagerControlTests {
    @Test("a TaskManager is its main class with its resource id, in either -D form")
    func matches() {
        let base = ["java", "-Xmx1g", "-classpath", "x.jar", TaskManagerProcess.mainClass, "--configDir", "/c"]
        #expect(TaskManagerProcess.matches(base + ["-Dtaskmanager.resource-id=tm-0"], id: "tm-0"))
        #expect(TaskManagerProcess.matches(base + ["-D", "taskmanager.resource-id=tm-1"], id: "tm-1"))
        #expect(!TaskManagerProcess.matches(base + ["-Dtaskmanager.resource-id=tm-10"], id: "tm-1"))
        #expect(!TaskManagerProcess.matches(["java", "Other", "-Dtaskmanager.resource-id=tm-0"], id: "tm-0"))
        #expect(!TaskManagerProcess.matches(["bash", "-c", "echo \(TaskManagerProcess.mainClass) -Dtaskmanager.resource-id=tm-0"], id: "tm-0"))
    }

    @Test("an id that runs nowhere is an error naming it; nothing is signalled")
    func missing() {
        #expect(throws: FlinkError.self) { _ = try TaskManagerProcess.find(id: "tm-does-not-exist-\(UInt32.random(in: 0...UInt32.max))") }
    }

    @Test("a template splits once; the id stays one argument whatever it holds")
    func template() throws {
        let t = try CommandTemplate("kubectl delete pod {id} --grace-period=0 --force")
        #expect(t.arguments(id: "tm-0") == ["kubectl", "delete", "pod", "tm-0", "--grace-period=0", "--force"])
        #expect(t.arguments(id: "a b; rm -rf / 'q' \"d\" $(x)") == ["kubectl", "delete", "pod", "a b; rm -rf / 'q' \"d\" $(x)", "--grace-period=0", "--force"])
        let q = try CommandTemplate("ssh 'my host' \"kill -9 $(cat /run/{id}.pid)\"")
        #expect(q.arguments(id: "tm 1") == ["ssh", "my host", "kill -9 $(cat /run/tm 1.pid)"])
        #expect(throws: FlinkError.self) { _ = try CommandTemplate("kill 'unclosed {id}") }
        #expect(throws: FlinkError.self) { _ = try CommandTemplate("kill -9 1234") }
        #expect(throws: FlinkError.self) { _ = try CommandTemplate("   ") }
    }

    @Test("commands name TaskManagers by number or id; Flink's own commands parse")
    func commands() throws {
        let names = ["tm-0", "tm-1"]
        #expect(try Command.parse("kill tm 1", nodes: 2, shards: 1, names: names) == .kill(1))
        #expect(try Command.parse("kill tm-1", nodes: 2, shards: 1, names: names) == .kill(1))
        #expect(try Command.parse("hang tm TM-0", nodes: 2, shards: 1, names: names) == .hang(0))
        #expect(try Command.parse("savepoint", nodes: 2, shards: 1) == .savepoint)
        #expect(try Command.parse("corrupt checkpoint latest", nodes: 2, shards: 1) == .corruptCheckpoint(.latest, file: nil))
        #expect(try Command.parse("corrupt checkpoint 12 OpState-A", nodes: 2, shards: 1) == .corruptCheckpoint(.id(12), file: "OpState-A"))
        #expect(Command.corruptCheckpoint(.id(12), file: "OpState-A").description == "corrupt checkpoint 12 OpState-A")
        #expect(throws: CommandError.self) { try Command.parse("kill tm-7", nodes: 2, shards: 1, names: names) }
    }

    @Test("the lab's config binds to 127.0.0.1 and keeps its checkpoints")
    func config() {
        let y = LabConfig(directory: "/l", restPort: 8081, rpcPort: 8123, slots: 2, parallelism: 2, javaOptions: "-Dx").yaml
        #expect(y.contains("bind-address: 127.0.0.1"))
        #expect(y.contains("dir: file:///l/checkpoints"))
        #expect(y.contains("num-retained: 3"))
        #expect(y.contains("externalized-checkpoint-retention: RETAIN_ON_CANCELLATION"))
        #expect(!y.contains("0.0.0.0"))
        let sql = FlinkPaymentsJob(ledger: PaymentsLedger(accounts: 100), rate: 2000, output: "/l/output").sql
        #expect(sql.contains("'rows-per-second' = '2000'"))
        #expect(sql.contains("% 100") && sql.contains("% 99"))
        #expect(sql.contains("'path' = 'file:///l/output'"))
    }
}
