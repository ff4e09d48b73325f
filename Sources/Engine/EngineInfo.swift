import Integrity

/// Facts about this build of the engine.
public enum EngineInfo {
    /// The on-disk format version of data directories this build writes.
    public static let formatVersion = 1
}
