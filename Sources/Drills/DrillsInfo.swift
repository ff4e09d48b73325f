/// Facts about the drills module.
public enum DrillsInfo {
    /// The drill file format version this build reads.
    public static let formatVersion = 1
}
