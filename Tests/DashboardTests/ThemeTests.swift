@testable import Dashboard
import Testing

@Suite("Themes")
struct ThemeTests {
    let library = ThemeLibrary(directories: [Fixtures.root + "/themes"])

    @Test("themes/default.toml documents every key and equals the built-in theme")
    func defaultFile() throws {
        let loaded = try library.load("default")
        #expect(loaded.warnings.isEmpty)
        for role in Role.allCases {
            #expect(loaded.theme[role] == Theme.builtIn[role], "\(role.rawValue)")
        }
        let text = ThemeLibrary.readText(Fixtures.root + "/themes/default.toml") ?? ""
        for role in Role.allCases {
            #expect(text.contains("\n[\(role.section)]"), "section \(role.section)")
            #expect(text.contains("\n\(role.key) = "), "key \(role.key)")
        }
    }

    @Test("the shipped themes load without warnings: default, light, high-contrast, colour-blind safe")
    func shipped() throws {
        let names = library.names()
        for needed in ["default", "light", "high-contrast", "colorblind"] { #expect(names.contains(needed)) }
        for name in names {
            let loaded = try library.load(name)
            #expect(loaded.warnings.isEmpty, "\(name): \(loaded.warnings)")
            #expect(loaded.theme.name == name)
        }
        let light = try library.load("light").theme
        #expect(light[.nodeDown].foreground == .rgb(0xcf, 0x22, 0x2e))
        #expect(light[.nodeDown].attributes == .bold)
    }

    @Test("missing keys inherit from the default; palette references resolve")
    func inheritance() throws {
        let t = try ThemeLoader.load("""
            [palette]
            hot = "#ff5555"
            [node]
            down = "$hot on black underline"
            """, file: "x.toml", name: "x").theme
        #expect(t[.nodeDown] == Style(.rgb(255, 85, 85), on: .indexed(0), .underline))
        #expect(t[.nodeHealthy] == Theme.builtIn[.nodeHealthy])
        #expect(t.name == "x")
    }

    @Test("unknown keys are warnings with the line")
    func warnings() throws {
        let loaded = try ThemeLoader.load("name = \"w\"\nflavour = \"x\"\n[node]\nsleepy = \"red\"\n", file: "w.toml", name: "w")
        #expect(loaded.warnings.count == 2)
        #expect(loaded.warnings[0].hasPrefix("w.toml:2:"))
        #expect(loaded.warnings[1].hasPrefix("w.toml:4:") && loaded.warnings[1].contains("sleepy"))
    }

    @Test("bad files are errors naming file, line and what was expected", arguments: [
        ("[node]\ndown = \"crimson\"", 2, "not a colour"),
        ("[node]\ndown = \"red on\"", 2, "background"),
        ("[node]\ndown = \"red sparkly\"", 2, "not an attribute"),
        ("[node]\ndown = \"$nope\"", 2, "not in [palette]"),
        ("[nodes]\ndown = \"red\"", 1, "unknown section"),
        ("[node]\ndown = 3", 2, "must be a string"),
        ("[palette]\nx = \"#12\"", 2, "not a colour"),
        ("[node]\ndown = \"red", 2, "closing quote"),
        ("[[node]]", 1, "not part of a theme"),
        ("[node]\ndown = \"\"", 2, "empty style"),
    ])
    func errors(text: String, line: Int, fragment: String) {
        do {
            _ = try ThemeLoader.load(text, file: "bad.toml", name: "bad")
            Issue.record("\(text) should fail")
        } catch {
            #expect(error.file == "bad.toml")
            #expect(error.line == line, "\(error)")
            #expect(error.description.contains(fragment), "\(error)")
        }
    }

    @Test("an unknown theme name lists the available ones")
    func unknownName() {
        do {
            _ = try library.load("nosuch")
            Issue.record("should fail")
        } catch {
            #expect(error.message.contains("no theme called 'nosuch'"))
            #expect(error.message.contains("high-contrast"))
        }
    }
}

@Suite("Theme contrast")
struct ThemeContrastTests {
    let library = ThemeLibrary(directories: [Fixtures.root + "/themes"])

    @Test("WCAG ratios: black on white is 21:1, a colour on itself 1:1, xterm's grey on black 5.25:1")
    func ratios() {
        #expect(abs(ThemeContrast.ratio((0, 0, 0), (255, 255, 255)) - 21) < 0.01)
        #expect(abs(ThemeContrast.ratio((120, 40, 200), (120, 40, 200)) - 1) < 1e-9)
        #expect(abs(ThemeContrast.ratio((127, 127, 127), (0, 0, 0)) - 5.25) < 0.02)
    }

    @Test("every shipped theme keeps its main roles at 4.5:1 or more (WCAG AA)")
    func shipped() throws {
        for name in library.names() {
            let theme = try library.load(name).theme
            let short = ThemeContrast.shortfalls(theme)
            if !short.isEmpty { print("CONTRAST", name, short.map(\.description)) }
            #expect(short.isEmpty, "\(name) on a \(ThemeContrast.terminal(for: theme) == .light ? "light" : "dark") terminal: \(short.map(\.description).joined(separator: "; "))")
        }
    }

    @Test("a theme with grey-on-grey text is caught")
    func caught() throws {
        let t = try ThemeLoader.load("[ui]\ntext = \"#777777 on #666666\"\n", file: "grey.toml", name: "grey").theme
        #expect(ThemeContrast.shortfalls(t).contains { $0.role == .text })
    }

    @Test("the 16-colour theme uses the terminal's own palette only (indices 0-15 or default)")
    func ansi16() throws {
        let t = try library.load("ansi16").theme
        for role in Role.allCases {
            for c in [t[role].foreground, t[role].background] {
                if case let .indexed(i) = c { #expect(i < 16, "\(role.rawValue)") } else { #expect(c == .default, "\(role.rawValue): \(c)") }
            }
        }
    }
}
