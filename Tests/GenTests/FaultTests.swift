import Foundation
import Testing

/// An MNIST-format folder of `count` random 28x28 images per split: data that loads in
/// milliseconds, for runs whose point is what happens around training.
func tinyIDXFolder(count: Int = 64, seed: UInt64 = 0x9E37_79B9) throws -> String {
    let folder = try scratchFolder()
    var random: UInt64 = seed
    func byte() -> UInt8 { random = random &* 6364136223846793005 &+ 1442695040888963407; return UInt8(random >> 56) }
    func header(_ magic: UInt8, _ sizes: [Int]) -> [UInt8] {
        [0, 0, 8, magic]
            + sizes.flatMap { s in [UInt8(s >> 24), UInt8((s >> 16) & 0xFF), UInt8((s >> 8) & 0xFF), UInt8(s & 0xFF)] }
    }
    for split in ["train", "t10k"] {
        let images = header(3, [count, 28, 28]) + (0..<(count * 784)).map { _ in byte() }
        let labels = header(1, [count]) + (0..<count).map { UInt8($0 % 10) }
        try Data(images).write(to: URL(fileURLWithPath: "\(folder)/\(split)-images-idx3-ubyte"))
        try Data(labels).write(to: URL(fileURLWithPath: "\(folder)/\(split)-labels-idx1-ubyte"))
    }
    return folder
}

/// Starts `gen` with `arguments` and returns the running process, its output going to files.
func startGen(_ arguments: [String], output: String, environment extra: [String: String] = [:]) throws -> Process {
    let process = process(genExecutable, arguments, environment: extra)
    _ = FileManager.default.createFile(atPath: output, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    return process
}

/// Waits until `process` catches SIGINT, as /proc/PID/status's SigCgt mask says; false if it
/// ends or `limit` seconds pass first.
func waitUntilCatchingInterrupts(_ process: Process, limit: TimeInterval = 30) -> Bool {
    let deadline = Date().addingTimeInterval(limit)
    while process.isRunning && Date() < deadline {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        if let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
            let mask = UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16),
            mask & (1 << UInt64(SIGINT - 1)) != 0
        {
            return true
        }
        usleep(2_000)
    }
    return false
}

/// The files in `folder` whose names end in .tmp.
func temporaryFiles(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".tmp") }
}

@Suite("Faults: kills, interrupts and two writers leave every checkpoint whole", .serialized)
struct FaultTests {
    @Test("SIGKILL at random moments, many in the middle of a checkpoint write, never leaves a damaged checkpoint")
    func killDuringWrites() throws {
        let data = try tinyIDXFolder()
        let folder = try scratchFolder()
        let checkpoint = folder + "/wide.safetensors"
        // A wide model makes each checkpoint about 40 MB, so its write (encode, write, fsync,
        // rename) is a good part of each one-batch epoch, and kills land inside writes.
        let model = [
            "ae", "--dataset", data, "--hidden", "2048", "--latent-dimension", "8", "--batch-size", "64",
            "--checkpoint", checkpoint, "--quiet",
        ]
        let first = try runGen(model + ["--epochs", "1", "--out", folder + "/out"])
        #expect(first.status == 0, "\(first.stderr)")
        var generator = SystemRandomNumberGenerator()
        var strays = 0
        for trial in 0..<10 {
            let before = try checkpointEpochs(checkpoint)
            let process = try startGen(
                model + ["--epochs", "100000", "--resume", "--out", folder + "/out"], output: folder + "/log-\(trial)")
            // Once the run has written a checkpoint of its own, kill it: in even trials the moment its
            // next temporary file appears (inside a write), in odd ones at a random moment.
            let deadline = Date().addingTimeInterval(60)
            while (try? checkpointEpochs(checkpoint)) ?? before <= before && Date() < deadline { usleep(2_000) }
            if trial % 2 == 0 {
                while temporaryFiles(in: folder).isEmpty && Date() < deadline { usleep(200) }
            } else {
                usleep(UInt32.random(in: 0...300_000, using: &generator))
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            strays += temporaryFiles(in: folder).count
            // The file is whole: gen itself reads it without complaint.
            #expect(try checkpointEpochs(checkpoint) > before, "trial \(trial) wrote nothing")
            let check = try runGen(model + ["--out", folder + "/check"])
            #expect(check.status == 0, "trial \(trial): \(check.stderr)")
        }
        // Whatever a kill left behind, the next write clears it.
        let last = try runGen(
            model + ["--out", folder + "/out", "--resume", "--epochs", "\(try checkpointEpochs(checkpoint) + 1)"])
        #expect(last.status == 0, "\(last.stderr)")
        #expect(temporaryFiles(in: folder).isEmpty, "stray temporary files: \(temporaryFiles(in: folder))")
        #expect(strays >= 3, "only \(strays) of 10 kills landed inside a write")
        print(
            "SIGKILL: \(strays) of 10 kills landed inside a checkpoint write; every checkpoint stayed loadable, and the next write removed what they left"
        )
    }

    @Test("two processes on one cache never corrupt it")
    func twoWritersOneCache() throws {
        let data = try tinyIDXFolder()
        let folder = try scratchFolder()
        let arguments = ["vae", "--dataset", data, "--hidden", "64", "--epochs", "5", "--batch-size", "16", "--quiet"]
        let environment = ["XDG_CACHE_HOME": folder + "/cache"]
        // Each its own --out (one folder takes one run at a time), one cache.
        let a = try startGen(arguments + ["--out", folder + "/a"], output: folder + "/a.log", environment: environment)
        let b = try startGen(arguments + ["--out", folder + "/b"], output: folder + "/b.log", environment: environment)
        a.waitUntilExit(); b.waitUntilExit()
        #expect(a.terminationStatus == 0 && b.terminationStatus == 0)
        let cache = folder + "/cache/gen"
        let files = try FileManager.default.contentsOfDirectory(atPath: cache)
        #expect(files.count == 1 && temporaryFiles(in: cache).isEmpty, "\(files)")
        let reuse = try runGen(arguments + ["--out", folder + "/a"], environment: environment)
        #expect(reuse.status == 0 && !reuse.stderr.contains("warning"), "\(reuse.stderr)")
    }

    @Test("a second run into the same --out is refused at once while the first writes there; another --out is fine")
    func oneRunPerFolder() throws {
        let data = try tinyIDXFolder()
        let folder = try scratchFolder()
        let first = try startGen(
            [
                "ae", "--dataset", data, "--hidden", "16", "--epochs", "10000", "--batch-size", "16", "--out",
                folder + "/out",
                "--checkpoint", folder + "/first.safetensors", "--quiet",
            ], output: folder + "/first.log")
        defer {
            first.interrupt()
            first.waitUntilExit()
        }
        // By its first checkpoint the first run holds the folder (claimed before training).
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: folder + "/first.safetensors") && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let second = ["ae", "--dataset", data, "--hidden", "16", "--epochs", "1", "--batch-size", "16", "--quiet"]
        let refused = try runGen(second + ["--out", folder + "/out", "--checkpoint", folder + "/second.safetensors"])
        #expect(
            refused.status == 1 && errorLine(refused).contains("another gen run is writing into"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/second.safetensors"), "refused before training")
        let elsewhere = try runGen(
            second + ["--out", folder + "/other", "--checkpoint", folder + "/third.safetensors"])
        #expect(elsewhere.status == 0, "\(elsewhere.stderr)")
        // A lecture page trains autoencoders of its own and draws into its own folder only: gen's
        // AE folder, held by the first run, is not the page's to hold (make-gallery runs pages
        // beside gen runs and beside each other).
        let page = try run(
            genExecutable.deletingLastPathComponent().appendingPathComponent("bottleneck"),
            ["--quick", "--out", folder + "/out", "--quiet"], environment: ["XDG_CACHE_HOME": folder + "/cache"])
        #expect(page.status == 0, "\(page.stderr)")
    }

    @Test("Ctrl-C stops at the next batch, says which checkpoint is kept, and exits with 130")
    func interrupt() throws {
        let data = try tinyIDXFolder()
        let folder = try scratchFolder()
        let checkpoint = folder + "/ae.safetensors"
        let output = folder + "/log"
        let process = try startGen(
            [
                "ae", "--dataset", data, "--hidden", "512", "--epochs", "100000", "--batch-size", "16",
                "--checkpoint", checkpoint, "--out", folder + "/out", "--quiet",
            ], output: output)
        // Wait for the first epoch's checkpoint, then interrupt.
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: checkpoint) && Date() < deadline { usleep(50_000) }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let log = try String(contentsOfFile: output, encoding: .utf8)
        #expect(process.terminationStatus == 130, "\(log)")
        #expect(
            log.contains("interrupted in epoch") && log.contains("is at \(checkpoint), continue with --resume"),
            "\(log)")
    }

    @Test("Ctrl-C in the first epoch says nothing was saved")
    func interruptEarly() throws {
        let data = try tinyIDXFolder(count: 2000)
        let folder = try scratchFolder()
        let output = folder + "/log"
        let process = try startGen(
            [
                "ae", "--dataset", data, "--hidden", "4096", "--epochs", "5", "--batch-size", "16",
                "--checkpoint", folder + "/ae.safetensors", "--out", folder + "/out", "--quiet",
            ], output: output)
        // As soon as gen catches Ctrl-C (it installs its handler as training starts): a fixed
        // wait of 1.5 s fell after the whole first epoch on a fast machine.
        #expect(waitUntilCatchingInterrupts(process), "gen never installed its Ctrl-C handler")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let log = try String(contentsOfFile: output, encoding: .utf8)
        #expect(process.terminationStatus == 130, "\(log)")
        #expect(log.contains("interrupted in epoch 1; nothing was saved, as no epoch had finished"), "\(log)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/ae.safetensors"))
    }
}

/// The completed epochs a checkpoint records, read from its metadata.
func checkpointEpochs(_ path: String) throws -> Int {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any]
    let metadata = header?["__metadata__"] as? [String: String]
    return Int(metadata?["completed_epochs"] ?? "") ?? 0
}
