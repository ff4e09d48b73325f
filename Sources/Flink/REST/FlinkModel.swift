/// The parts of Flink's REST answers firedrill reads. Field names of Flink 2.x and of
/// 1.19/1.20 both decode (a subtask's `endpoint` was `host`; an exception's `endpoint` was
/// `location`); everything not needed is ignored, and a missing optional field is nil, never
/// a made-up zero.
public enum FlinkModel {
    /// `GET /overview`.
    public struct Overview: Decodable, Sendable, Equatable {
        public var flinkVersion: String
        public var taskmanagers: Int
        public var slotsTotal: Int
        public var jobsRunning: Int

        enum CodingKeys: String, CodingKey {
            case flinkVersion = "flink-version", taskmanagers, slotsTotal = "slots-total", jobsRunning = "jobs-running"
        }
    }

    /// `GET /jobs/overview`.
    public struct JobsOverview: Decodable, Sendable, Equatable {
        public struct Job: Decodable, Sendable, Equatable {
            public var jid: String
            public var name: String
            public var state: String
            public var startTime: Int64
            enum CodingKeys: String, CodingKey { case jid, name, state, startTime = "start-time" }
        }
        public var jobs: [Job]
    }

    /// `GET /jobs/:id`.
    public struct Job: Decodable, Sendable, Equatable {
        public struct Vertex: Decodable, Sendable, Equatable {
            public var id: String
            public var name: String
            public var parallelism: Int
            public var status: String
            /// The vertex's subtasks by state (`RUNNING`: 2, …).
            public var tasks: [String: Int]?
        }
        public var jid: String
        public var name: String
        public var state: String
        public var startTime: Int64
        /// Milliseconds since the job started (to `now`, or to its end).
        public var duration: Int64
        /// The JobManager's clock, epoch milliseconds.
        public var now: Int64?
        /// When the job last entered each state, epoch ms (0: never).
        public var timestamps: [String: Int64]
        public var vertices: [Vertex]

        /// Subtasks running, of all the job's subtasks (every vertex's parallelism).
        public var tasksRunning: (running: Int, total: Int) {
            (vertices.reduce(0) { $0 + ($1.tasks?["RUNNING"] ?? 0) }, vertices.reduce(0) { $0 + $1.parallelism })
        }

        enum CodingKeys: String, CodingKey { case jid, name, state, startTime = "start-time", duration, now, timestamps, vertices }

        public init(from d: any Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            jid = try c.decode(String.self, forKey: .jid)
            name = try c.decode(String.self, forKey: .name)
            state = try c.decode(String.self, forKey: .state)
            startTime = try c.decode(Int64.self, forKey: .startTime)
            duration = try c.decodeIfPresent(Int64.self, forKey: .duration) ?? 0
            now = try c.decodeIfPresent(Int64.self, forKey: .now)
            timestamps = try c.decodeIfPresent([String: Int64].self, forKey: .timestamps) ?? [:]
            vertices = try c.decodeIfPresent([Vertex].self, forKey: .vertices) ?? []
        }
    }

    /// `GET /jobs/:id/vertices/:vid`: where each subtask runs.
    public struct VertexDetail: Decodable, Sendable, Equatable {
        public struct Subtask: Decodable, Sendable, Equatable {
            public var subtask: Int
            public var status: String
            /// `host:port` of the TaskManager (`endpoint` in 2.x, `host` in 1.x).
            public var endpoint: String?
            public var taskManagerId: String?

            enum CodingKeys: String, CodingKey { case subtask, status, endpoint, host, taskManagerId = "taskmanager-id" }
            public init(from d: any Decoder) throws {
                let c = try d.container(keyedBy: CodingKeys.self)
                subtask = try c.decode(Int.self, forKey: .subtask)
                status = try c.decode(String.self, forKey: .status)
                endpoint = try c.decodeIfPresent(String.self, forKey: .endpoint) ?? c.decodeIfPresent(String.self, forKey: .host)
                taskManagerId = try c.decodeIfPresent(String.self, forKey: .taskManagerId)
            }
        }
        public var id: String
        public var name: String
        public var subtasks: [Subtask]
    }

    /// `GET /taskmanagers`.
    public struct TaskManagers: Decodable, Sendable, Equatable {
        public struct TaskManager: Decodable, Sendable, Equatable {
            public var id: String
            public var path: String?
            public var dataPort: Int?
            /// The JobManager's time of the last heartbeat, epoch milliseconds (not a duration,
            /// whatever its name says).
            public var timeSinceLastHeartbeat: Int64
            public var slotsNumber: Int
            public var freeSlots: Int
        }
        public var taskmanagers: [TaskManager]
    }

    /// `GET /jobs/:id/checkpoints`.
    public struct Checkpoints: Decodable, Sendable, Equatable {
        public struct Counts: Decodable, Sendable, Equatable {
            public var restored: Int
            public var total: Int
            public var inProgress: Int
            public var completed: Int
            public var failed: Int
            enum CodingKeys: String, CodingKey { case restored, total, inProgress = "in_progress", completed, failed }
        }
        public struct Checkpoint: Decodable, Sendable, Equatable {
            public var id: UInt64
            public var status: String
            public var isSavepoint: Bool
            public var triggerTimestamp: Int64
            public var latestAckTimestamp: Int64?
            public var stateSize: Int64?
            public var endToEndDuration: Int64?
            public var alignmentBuffered: Int64?
            public var checkpointType: String?
            public var failureMessage: String?
            public var externalPath: String?
            enum CodingKeys: String, CodingKey {
                case id, status, isSavepoint = "is_savepoint", triggerTimestamp = "trigger_timestamp"
                case latestAckTimestamp = "latest_ack_timestamp", stateSize = "state_size", endToEndDuration = "end_to_end_duration"
                case alignmentBuffered = "alignment_buffered", checkpointType = "checkpoint_type", failureMessage = "failure_message"
                case externalPath = "external_path"
            }
        }
        public struct Restored: Decodable, Sendable, Equatable {
            public var id: UInt64
            public var restoreTimestamp: Int64
            public var isSavepoint: Bool?
            public var externalPath: String?
            enum CodingKeys: String, CodingKey { case id, restoreTimestamp = "restore_timestamp", isSavepoint = "is_savepoint", externalPath = "external_path" }
        }
        public struct Latest: Decodable, Sendable, Equatable {
            public var completed: Checkpoint?
            public var failed: Checkpoint?
            public var restored: Restored?
        }
        public var counts: Counts
        public var latest: Latest?
        /// Newest first, as Flink sends it.
        public var history: [Checkpoint]
    }

    /// `GET /jobs/:id/exceptions`.
    public struct Exceptions: Decodable, Sendable, Equatable {
        public struct Entry: Decodable, Sendable, Equatable {
            public var exceptionName: String
            public var stacktrace: String
            public var timestamp: Int64
            public var taskName: String?
            /// `host:port` (`endpoint` in 2.x, `location` in 1.x).
            public var endpoint: String?
            public var taskManagerId: String?

            enum CodingKeys: String, CodingKey { case exceptionName, stacktrace, timestamp, taskName, endpoint, location, taskManagerId }
            public init(from d: any Decoder) throws {
                let c = try d.container(keyedBy: CodingKeys.self)
                exceptionName = try c.decode(String.self, forKey: .exceptionName)
                stacktrace = try c.decodeIfPresent(String.self, forKey: .stacktrace) ?? ""
                timestamp = try c.decode(Int64.self, forKey: .timestamp)
                taskName = try c.decodeIfPresent(String.self, forKey: .taskName)
                endpoint = try c.decodeIfPresent(String.self, forKey: .endpoint) ?? c.decodeIfPresent(String.self, forKey: .location)
                taskManagerId = try c.decodeIfPresent(String.self, forKey: .taskManagerId)
            }

            /// The exception's first line (its message), without the stack.
            public var message: String {
                let first = stacktrace.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? exceptionName
                return first.isEmpty ? exceptionName : first
            }
        }
        public struct History: Decodable, Sendable, Equatable {
            public var entries: [Entry]
        }
        public var exceptionHistory: History
    }

    /// One metric of `GET .../metrics?get=...` (a `value`) or of an aggregate `&agg=sum` (a `sum`).
    public struct Metric: Decodable, Sendable, Equatable {
        public var id: String
        public var value: String?
        public var sum: Double?

        /// The number it holds, whichever form it came in.
        public var number: Double? { sum ?? value.flatMap(Double.init) }
    }

    /// `POST /jobs/:id/checkpoints` or `/savepoints`: the trigger's id.
    public struct TriggerId: Decodable, Sendable, Equatable {
        public var requestId: String
        enum CodingKeys: String, CodingKey { case requestId = "request-id" }
    }

    /// `GET /jobs/:id/checkpoints/:trigger` or `/savepoints/:trigger`.
    public struct AsyncOperation: Decodable, Sendable, Equatable {
        public struct Status: Decodable, Sendable, Equatable { public var id: String }
        public struct Operation: Decodable, Sendable, Equatable {
            public var checkpointId: UInt64?
            public var location: String?
            public var failureCause: FailureCause?
        }
        public struct FailureCause: Decodable, Sendable, Equatable {
            public var stackTrace: String?
            public var serializedThrowable: String?
            enum CodingKeys: String, CodingKey { case stackTrace = "stack-trace", serializedThrowable = "serialized-throwable" }
        }
        public var status: Status
        public var operation: Operation?
    }
}

extension [FlinkModel.Metric] {
    /// The number of the metric named `id`, if Flink sent it.
    public func number(_ id: String) -> Double? { first { $0.id == id }?.number }
}
