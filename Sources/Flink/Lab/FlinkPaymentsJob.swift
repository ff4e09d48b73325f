/// The lab's payments job: Flink SQL with bundled connectors only, and the small Java main
/// that submits it (run by `java` from source: the JRE's compiler module is enough, no JDK).
///
/// A `datagen` table of identical rows at a fixed rate; a running count over them (an
/// unpartitioned OVER aggregate, parallelism 1, its count in the checkpoint) numbers them
/// 0, 1, 2, … — the same numbers after every restore, and no state that grows with the run
/// (the `sequence` generator would checkpoint every value it has not yet emitted). Each
/// number becomes a transfer in closed form (`PaymentsLedger`), split into its two legs, and
/// a per-account running balance (keyed state) is written with each leg by the filesystem
/// connector, whose part files commit on checkpoints.
public struct FlinkPaymentsJob: Sendable, Equatable {
    public var ledger: PaymentsLedger
    /// Transfers per second.
    public var rate: Int
    /// Where the committed part files go (a local directory).
    public var output: String

    public init(ledger: PaymentsLedger = PaymentsLedger(), rate: Int = 2000, output: String) {
        self.ledger = ledger
        self.rate = rate
        self.output = output
    }

    public static let name = "firedrill-payments"

    /// The statements, `;`-separated.
    public var sql: String {
        let l = ledger
        return """
        CREATE TABLE ticks (k INT, proc AS PROCTIME()) WITH ('connector' = 'datagen', 'rows-per-second' = '\(rate)', 'fields.k.kind' = 'random', 'fields.k.min' = '0', 'fields.k.max' = '0');
        CREATE TEMPORARY VIEW transfers AS SELECT COUNT(*) OVER (ORDER BY proc ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - 1 AS id, proc FROM ticks;
        CREATE TEMPORARY VIEW legs AS SELECT t.id, l.acct, l.delta, t.proc FROM transfers AS t CROSS JOIN UNNEST(ARRAY[ROW(\(l.fromSQL), -\(l.amountSQL)), ROW(\(l.toSQL), \(l.amountSQL))]) AS l(acct, delta);
        CREATE TABLE ledger (id BIGINT, acct INT, delta BIGINT, balance BIGINT) WITH ('connector' = 'filesystem', 'path' = 'file://\(output)', 'format' = 'csv', 'sink.rolling-policy.rollover-interval' = '1 s', 'sink.rolling-policy.check-interval' = '1 s');
        INSERT INTO ledger SELECT id, acct, delta, SUM(delta) OVER (PARTITION BY acct ORDER BY proc ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM legs;

        """
    }

    /// `java -cp 'FLINK/lib/*' FiredrillSubmit.java HOST PORT SQL CONFDIR [RESTORE]` submits the
    /// SQL to the cluster (the conf directory's config.yaml carries the checkpoint settings;
    /// RESTORE, a checkpoint's path, becomes execution.state-recovery.path) and prints `job ID`.
    public static let submitter = """
    import java.nio.file.*;
    import org.apache.flink.configuration.Configuration;
    import org.apache.flink.configuration.GlobalConfiguration;
    import org.apache.flink.table.api.*;

    /** Written by firedrill: submits the lab's payments job to a running session cluster. */
    public class FiredrillSubmit {
        public static void main(String[] args) throws Exception {
            Configuration c = GlobalConfiguration.loadConfiguration(args[3]);
            c.setString("execution.target", "remote");
            c.setString("rest.address", args[0]);
            c.setString("rest.port", args[1]);
            c.setString("pipeline.name", "\(name)");
            if (args.length > 4) c.setString("execution.state-recovery.path", args[4]);
            TableEnvironment t = TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(c).build());
            String sql = new String(Files.readAllBytes(Paths.get(args[2])));
            TableResult last = null;
            for (String stmt : sql.split(";")) {
                if (stmt.trim().isEmpty()) continue;
                last = t.executeSql(stmt);
            }
            System.out.println("job " + last.getJobClient().get().getJobID());
            System.exit(0);
        }
    }

    """
}
