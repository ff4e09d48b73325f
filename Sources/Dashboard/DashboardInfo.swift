import Drills

/// Facts about the dashboard module.
public enum DashboardInfo {
    /// The smallest terminal the dashboard lays out in.
    public static let minimumSize = (columns: 80, rows: 24)
}
