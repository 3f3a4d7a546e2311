import Foundation
import Testing
import FuzzTargets

/// The folder of the fuzzers' seeds and past findings, beside this test's sources.
let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fuzz")

@Suite("Every fuzzing seed and every past finding goes through its reader without a crash")
struct FuzzRegressionTests {
    @Test("seeds and regressions", arguments: fuzzTargets)
    func replay(target: String) throws {
        var replayed = 0
        for kind in ["corpus", "regressions"] {
            let folder = fuzzFolder.appendingPathComponent(kind).appendingPathComponent(target)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
                read(try Data(contentsOf: folder.appendingPathComponent(name)), with: target)
                replayed += 1
            }
        }
        #expect(replayed >= 1, "no seed for \(target)")
    }
}
