import Foundation
import Testing

/// The lecture scripts, in lecture order: each runs here at its quick size (synthetic digits,
/// one epoch per model), as CI runs every one.
let lectureScripts = [
    "bottleneck", "latent-space", "regularized-autoencoders", "variational-autoencoder", "gan-toy-data", "gan-training",
    "applications",
    "comparison", "diffusion",
]

@Suite("the lecture scripts, each at its quick size")
struct LectureScriptTests {
    @Test(
        "a script runs with --quick and leaves its page: sections with their own code, figures, both formats, in the index",
        arguments: lectureScripts)
    func quickRun(script name: String) throws {
        let folder = try scratchFolder()
        let script = genExecutable.deletingLastPathComponent().appendingPathComponent(name)
        let result = try run(
            script, ["--quick", "--out", folder, "--quiet"], environment: ["XDG_CACHE_HOME": folder + "/cache"])
        #expect(result.status == 0, "\(result.stderr)")
        let page = folder + "/" + name
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: page + "/notebook.json")))
                as? [String: Any])
        let sections = try #require(json["sections"] as? [[String: Any]])
        #expect(sections.count >= 3)
        for section in sections {
            let code = section["code"] as? String ?? ""
            #expect(!code.isEmpty && !code.contains("notebook.section("), "\(section["title"] ?? "?"): \(code)")
            #expect(!(section["outputs"] as? [Any] ?? []).isEmpty, "\(section["title"] ?? "?") shows nothing")
            let verdict = section["verdict"] as? [String: String]
            #expect(
                verdict?["claim"]?.isEmpty == false && verdict?["evidence"]?.isEmpty == false
                    && ["reproduced", "not reproduced", "partly"].contains(verdict?["outcome"] ?? ""),
                "\(section["title"] ?? "?") ends without a verdict")
        }
        #expect(FileManager.default.fileExists(atPath: page + "/slides.html"))
        let html = try String(contentsOfFile: page + "/index.html", encoding: .utf8)
        let markdown = try String(contentsOfFile: page + "/README.md", encoding: .utf8)
        // Every figure the page shows is a PNG (or a film's GIF) in its folder, and both formats show it.
        let figures = html.components(separatedBy: "<img src=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(!figures.isEmpty)
        for file in figures {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: page + "/" + file))
            #expect(
                bytes.starts(with: [0x89, 0x50, 0x4E, 0x47])
                    || (file.hasSuffix(".gif") && bytes.starts(with: Array("GIF89a".utf8))), "\(file)")
            #expect(markdown.contains("](\(file))"), "\(file)")
        }
        #expect(html.contains("swift run \(name) --quick"))
        #expect(try String(contentsOfFile: folder + "/index.html", encoding: .utf8).contains("\(name)/index.html"))
    }

    @Test("the same script and seed draw byte-identical figures in a fresh process")
    func deterministic() throws {
        let runs = try (0..<2).map { _ -> String in
            let folder = try scratchFolder()
            let script = genExecutable.deletingLastPathComponent().appendingPathComponent("bottleneck")
            let result = try run(
                script, ["--quick", "--out", folder, "--quiet"], environment: ["XDG_CACHE_HOME": folder + "/cache"])
            #expect(result.status == 0, "\(result.stderr)")
            return folder + "/bottleneck"
        }
        for file in ["reconstructions.png", "error-by-size.png", "thirty.png"] {
            #expect(
                FileManager.default.contents(atPath: runs[0] + "/" + file)
                    == FileManager.default.contents(atPath: runs[1] + "/" + file), "\(file)")
        }
    }

    @Test("a script refuses a flag it does not take, naming it, before any work; --help lists the flags and succeeds")
    func badFlag() throws {
        let folder = try scratchFolder()
        let script = genExecutable.deletingLastPathComponent().appendingPathComponent("bottleneck")
        let result = try run(script, ["--epochs", "3", "--out", folder])
        #expect(result.status != 0)
        #expect(
            result.status == 64 && result.stderr.contains("Unknown option '--epochs'")
                && result.stderr.contains("Usage: bottleneck"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        // --help is asked for: the flags on stdout, success, nothing written.
        let help = try run(script, ["--help", "--out", folder])
        #expect(help.status == 0, "\(help.stderr)")
        #expect(
            help.stdout.contains("USAGE: bottleneck") && help.stdout.contains("--quick")
                && help.stdout.contains("--retrain"), "\(help.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }
}
