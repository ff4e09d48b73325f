/// A colour theme: a style for every `Role`. Loaded from `themes/NAME.toml`; keys a file
/// leaves out come from the built-in default.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var styles: [Role: Style]

    public init(name: String, styles: [Role: Style]) {
        self.name = name
        self.styles = styles
    }

    /// The style of a role.
    public subscript(role: Role) -> Style { styles[role] ?? .plain }

    /// The theme with colours brought within `colors` (0 or 1: no colour, attributes only).
    public func adapted(to colors: Int) -> Theme {
        Theme(name: name, styles: styles.mapValues { $0.adapted(to: colors) })
    }

    /// The built-in dark theme, which is also what every theme file inherits from. It is
    /// the same as the shipped `themes/default.toml`; a test keeps the two in step.
    public static let builtIn: Theme = {
        var s: [Role: Style] = [:]
        let green = Color.indexed(2), red = Color.indexed(1), yellow = Color.indexed(3), blue = Color.indexed(4)
        let magenta = Color.indexed(5), cyan = Color.indexed(6), gray = Color.indexed(8)
        s[.text] = Style()
        s[.muted] = Style(gray)
        s[.border] = Style(gray)
        s[.title] = Style(cyan, on: .default, .bold)
        s[.header] = Style(.indexed(15), on: .indexed(236), .bold)
        s[.selected] = Style(.default, on: .indexed(238), .bold)
        s[.key] = Style(cyan, on: .default, .bold)
        s[.hint] = Style(gray)
        s[.ok] = Style(green, on: .default, .bold)
        s[.warning] = Style(yellow, on: .default, .bold)
        s[.bad] = Style(.indexed(15), on: red, .bold)
        s[.overlay] = Style(.default, on: .indexed(235))
        s[.input] = Style(.indexed(15), on: .indexed(235), .bold)
        s[.nodeHealthy] = Style(green)
        s[.nodeSuspect] = Style(yellow)
        s[.nodeDown] = Style(.indexed(9), on: .default, .bold)
        s[.nodeRecovering] = Style(cyan, on: .default, .bold)
        s[.nodeHung] = Style(.indexed(13), on: .default, .bold)
        s[.nodeSlow] = Style(yellow, on: .default, .dim)
        s[.nodePartitioned] = Style(.indexed(13))
        s[.nodeQuarantined] = Style(.indexed(9), on: .default, .reverse)
        s[.nodeDead] = Style(.indexed(9), on: .default, .bold)
        s[.checkpointComplete] = Style(green)
        s[.checkpointInProgress] = Style(yellow)
        s[.checkpointFailed] = Style(red, on: .default, .bold)
        s[.checkpointRestored] = Style(cyan, on: .default, .bold)
        s[.integrityOK] = Style(green)
        s[.integrityBad] = Style(red, on: .default, .bold)
        s[.integrityRepaired] = Style(cyan)
        s[.eventInfo] = Style(gray)
        s[.eventOperator] = Style(magenta, on: .default, .bold)
        s[.eventDetection] = Style(yellow, on: .default, .bold)
        s[.eventRecovery] = Style(cyan)
        s[.eventRepair] = Style(blue, on: .default, .bold)
        s[.eventError] = Style(red, on: .default, .bold)
        s[.eventCheckpoint] = Style(green, on: .default, .dim)
        s[.eventCommit] = Style(gray)
        s[.eventAudit] = Style(red, on: .default, .bold)
        s[.eventRestore] = Style(cyan, on: .default, .bold)
        s[.graphProduced] = Style(cyan)
        s[.graphCommitted] = Style(green)
        s[.graphAxis] = Style(gray)
        s[.graphBand] = Style(.default, on: .indexed(237))
        s[.graphRecovery] = Style(yellow, on: .default, .bold)
        s[.techniqueSelfHealing] = Style(yellow, on: .default, .bold)
        s[.techniqueReplication] = Style(cyan, on: .default, .bold)
        s[.techniqueCheckAndCorrect] = Style(.indexed(13), on: .default, .bold)
        s[.techniqueErasureCode] = Style(.indexed(111), on: .default, .bold)
        s[.techniqueCheckpoint] = Style(cyan)
        s[.techniqueAudit] = Style(green, on: .default, .bold)
        s[.techniqueOperator] = Style(.indexed(13))
        return Theme(name: "default", styles: s)
    }()
}
