@testable import Drills
import Foundation
import Testing

/// Drills by name: the user's folder first (hiding a built-in of the same name), then the
/// built-ins; each says where it comes from, and a broken file names itself.
@Suite("Drill library")
struct DrillLibraryTests {
    func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "firedrill-drills-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "name = \"my-kill\"\ndescription = \"Mine.\"\nduration = \"3s\"\n[[step]]\nat = \"1s\"\ncommand = \"kill 1\"\n"
            .write(toFile: dir + "/my-kill.toml", atomically: true, encoding: .utf8)
        try "name = \"kill-one\"\ndescription = \"My own kill-one.\"\nduration = \"2s\"\n".write(toFile: dir + "/kill-one.toml", atomically: true, encoding: .utf8)
        try "name = \"broken\"\nduration = \"soon\"\n".write(toFile: dir + "/broken.toml", atomically: true, encoding: .utf8)
        return dir
    }

    @Test("a name is found in the user's folder first, then among the built-ins")
    func load() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try DrillLibrary.load("my-kill", userDirectory: dir).description == "Mine.")
        #expect(try DrillLibrary.load("kill-one", userDirectory: dir).description == "My own kill-one.", "the user's hides the built-in")
        #expect(try DrillLibrary.load("kill-one", userDirectory: nil).source == "built-in kill-one")
        #expect(try DrillLibrary.load("hung-node", userDirectory: dir).source == "built-in hung-node")
        do {
            _ = try DrillLibrary.load("broken", userDirectory: dir)
            Issue.record("a broken file loaded")
        } catch {
            #expect(error.file.hasSuffix("/broken.toml") && error.line == 2, "\(error)")
        }
        do {
            _ = try DrillLibrary.load("nosuch", userDirectory: dir)
            Issue.record("an unknown name loaded")
        } catch {
            #expect(error.description.contains("in \(dir): broken, kill-one, my-kill"), "\(error)")
        }
    }

    @Test("the entries: the user's drills with their paths (a broken one with its error), then the built-ins not hidden")
    func entries() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let all = DrillLibrary.entries(userDirectory: dir)
        #expect(all.prefix(3).map(\.name) == ["broken", "kill-one", "my-kill"])
        #expect(all[1].origin == .user(path: dir + "/kill-one.toml"))
        if case .failure = all[0].drill {} else { Issue.record("the broken file read") }
        #expect(all.filter { $0.name == "kill-one" }.count == 1)
        #expect(all.count == 3 + BuiltInDrills.all.count - 1)
        #expect(all.last?.origin == .builtIn)
    }
}
