import Foundation
import Testing

/// Runs the built `gen` executable, as a user would, and returns its exit status and output.
func runGen(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = genExecutable
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    for (k, v) in extra { environment[k] = v }
    process.environment = environment
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// `gen` beside the test bundle in the build folder.
let genExecutable: URL = {
    var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    while folder.path != "/" {
        let candidate = folder.appendingPathComponent("gen")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue { return candidate }
        folder.deleteLastPathComponent()
    }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug/gen")
}()

func scratchFolder() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("gen-cli-\(UUID())").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The first line of a failed run's error output: the line that must say what is wrong.
func errorLine(_ result: (status: Int32, stdout: String, stderr: String)) -> String {
    result.stderr.split(separator: "\n").first.map(String.init) ?? ""
}

@Suite("gen on the command line")
struct CommandLineTests {
    @Test("bad flags are refused before any work, naming the flag", arguments: [
        (["vae", "--epochs", "0"], "--epochs must be at least 1"),
        (["ae", "--latent-dimension", "0"], "--latent-dimension must be at least 1"),
        (["gan", "--discriminator-steps", "0"], "--discriminator-steps must be at least 1"),
        (["gan", "--generator-loss", "wasserstein"], "--generator-loss must be non-saturating or minimax"),
        (["vae", "--hidden", "400,x"], "--hidden takes positive widths"),
        (["vae", "--out", "/proc/version/gallery"], "--out /proc/version/gallery: cannot create it"),
        (["vae", "--resume", "--retrain"], "--resume and --retrain contradict"),
    ])
    func badFlags(arguments: [String], message: String) throws {
        let result = try runGen(arguments + ["--dataset", "synthetic"])
        #expect(result.status != 0)
        #expect(errorLine(result).contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("bad data files get one line naming the file and what was expected")
    func badData() throws {
        let folder = try scratchFolder()
        // A folder whose training images have the labels' magic number.
        var images: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 1, 0]
        try Data(images).write(to: URL(fileURLWithPath: folder + "/train-images-idx3-ubyte"))
        images = [0, 0, 8, 1, 0, 0, 0, 1, 0]
        try Data(images).write(to: URL(fileURLWithPath: folder + "/train-labels-idx1-ubyte"))
        let result = try runGen(["ae", "--dataset", folder, "--out", folder + "/out"])
        #expect(result.status != 0)
        #expect(errorLine(result).contains("\(folder)/train-images-idx3-ubyte: magic number 0x00000801, expected 0x00000803"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: folder + "/out/ae"))   // nothing half-written

        let missing = try runGen(["ae", "--dataset", folder + "/nowhere"])
        #expect(missing.status != 0)
        #expect(errorLine(missing).contains("\(folder)/nowhere: no such folder"))
    }

    @Test("a tiny run writes its figures and metrics, reuses its checkpoint, and is byte-for-byte repeatable")
    func endToEnd() throws {
        let folder = try scratchFolder()
        let common = ["ae", "--dataset", "synthetic", "--epochs", "1", "--hidden", "16", "--latent-dimension", "2",
                      "--batch-size", "64", "--grid", "4", "--steps", "4", "--samples", "--interpolate", "--reconstruct",
                      "--checkpoint", folder + "/ae.safetensors", "--quiet"]
        let first = try runGen(common + ["--out", folder + "/a"])
        #expect(first.status == 0, "\(first.stderr)")
        for file in ["samples.png", "interpolation.png", "reconstruction.png", "metrics.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: "\(folder)/a/ae/\(file)"), "\(file)")
        }
        let metrics = try String(contentsOfFile: folder + "/a/ae/metrics.jsonl", encoding: .utf8)
        let line = try JSONSerialization.jsonObject(with: Data(metrics.split(separator: "\n")[0].utf8)) as! [String: Any]
        #expect(line["epoch"] as? Int == 1)
        #expect((line["seconds"] as? Double ?? 0) > 0)
        #expect(line["train_loss"] != nil && line["test_loss"] != nil)
        #expect((line["loss_reduction"] as? String)?.contains("summed over pixels, averaged over images") == true)

        let reuse = try runGen(common.filter { $0 != "--quiet" } + ["--out", folder + "/b"])
        #expect(reuse.status == 0)
        #expect(reuse.stdout.contains("Reusing"))
        let retrain = try runGen(common + ["--out", folder + "/c", "--retrain"])
        #expect(retrain.status == 0)
        for file in ["samples.png", "interpolation.png", "reconstruction.png"] {
            let a = FileManager.default.contents(atPath: "\(folder)/a/ae/\(file)")
            #expect(a != nil && a == FileManager.default.contents(atPath: "\(folder)/b/ae/\(file)"), "\(file) reused")
            #expect(a == FileManager.default.contents(atPath: "\(folder)/c/ae/\(file)"), "\(file) retrained")
        }
    }

    @Test("--help lists the three models")
    func help() throws {
        let result = try runGen(["--help"])
        #expect(result.status == 0)
        for name in ["ae", "vae", "gan"] { #expect(result.stdout.contains("  \(name) ")) }
    }
}
