import Foundation
import Testing

/// Runs the built `gen` executable, as a user would, and returns its exit status and output.
func runGen(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (
    status: Int32, stdout: String, stderr: String
) {
    try run(genExecutable, arguments, environment: extra)
}

/// A process for `executable` with `arguments`, in this process's environment plus `extra`.
func process(_ executable: URL, _ arguments: [String], environment extra: [String: String]) -> Process {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(extra) { _, given in given }
    return process
}

/// Runs `executable` with `arguments` and returns its exit status and output.
func run(_ executable: URL, _ arguments: [String], environment extra: [String: String] = [:]) throws -> (
    status: Int32, stdout: String, stderr: String
) {
    let process = process(executable, arguments, environment: extra)
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
        if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            return candidate
        }
        folder.deleteLastPathComponent()
    }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
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
    @Test(
        "bad flags are refused before any work, naming the flag",
        arguments: [
            (["vae", "--epochs", "0"], "--epochs must be between 1 and 100000, got 0"),
            (["vae", "--epochs", "-1"], "--epochs must be between 1 and 100000, got -1"),
            (["vae", "--image-size", "32"], "synthetic: images of 28×28 pixels, which are not scaled to 32"),
            (["judge", "--hidden", "64"], "gen judge does not use --hidden"),
            (
                ["ae", "--hidden", "16384,16384,16384,16384,16384,16384,16384,16384"],
                "training this model needs about 61.1 GB (weights, gradients, Adam's moments and a batch's activations) and this machine has"
            ),
            (["explore", "vae", "--film"], "gen explore does not use --film"),
            (["explore", "diffusion", "--latent-dimension", "2"], "gen explore does not use --latent-dimension"),
            (
                ["classify", "--samples", "--latent-dimension", "4"],
                "gen classify does not use --samples, --latent-dimension"
            ),
            (["eval", "vae", "--reconstruct"], "gen eval does not use --reconstruct"),
            (["gan", "--discriminator-steps", "-1"], "--discriminator-steps must be between 1 and 1000, got -1"),
            (["vae", "--epochs", "1000000000000000"], "--epochs must be between 1 and 100000"),
            (["ae", "--latent-dimension", "0"], "--latent-dimension must be between 1 and 16384"),
            (["ae", "--latent-dimension", "1000000000"], "--latent-dimension must be between 1 and 16384"),
            (
                ["ae", "--hidden", "1000000000"],
                "'1000000000' is invalid for '--hidden <hidden>': expected 1 to 8 widths from 1 to 16384"
            ),
            (["ae", "--batch-size", "9223372036854775807"], "--batch-size must be between 1 and 65536"),
            (["ae", "--threads", "9223372036854775807"], "--threads must be between 1 and 256"),
            (["ae", "--steps", "100000000"], "--steps must be between 2 and 100"),
            (["ae", "--image-size", "100000"], "--image-size must be between 1 and 1024"),
            (["ae", "--out", ""], "--out: an empty path names no folder"),
            (["ae", "--learning-rate", "nan"], "--learning-rate must be a number above 0"),
            (
                ["diffusion", "--weight-average", "1"],
                "'1' is invalid for '--weight-average <weight-average>': expected a decay above 0 and below 1"
            ),
            (["classify", "--weight-average", "0.9"], "gen classify does not use --weight-average"),
            (["judge", "--epochs", "3"], "gen judge does not use --epochs"),
            (["judge", "--seed", "2", "--batch-size", "64"], "gen judge does not use --seed, --batch-size"),
            (["gan", "--arch", "conv", "--weight-average", "0.9"], "--weight-average is not for the DCGAN yet"),
            (["pca", "--weight-average", "0.9"], "--weight-average is not for PCA"),
            (["gan", "--discriminator-steps", "0"], "--discriminator-steps must be between 1 and 1000"),
            (["gan", "--discriminator-steps", "1000000000"], "--discriminator-steps must be between 1 and 1000"),
            (
                ["gan", "--generator-loss", "wasserstein"],
                "'wasserstein' is invalid for '--generator-loss <generator-loss>'. Please provide one of 'non-saturating' and 'minimax'"
            ),
            (["vae", "--hidden", "400,x"], "'400,x' is invalid for '--hidden <hidden>': expected 1 to 8 widths"),
            (["vae", "--out", "/proc/version/gallery"], "--out /proc/version/gallery: cannot create it"),
            (["vae", "--resume", "--retrain"], "--resume and --retrain contradict"),
            (
                ["ae", "--corruption", "blur:1"],
                "'blur:1' is invalid for '--corruption <corruption>': expected gaussian:SIGMA (0 < SIGMA ≤ 10), mask:FRACTION or salt-pepper:FRACTION (0 < FRACTION < 1), square:SIDE (a whole number of pixels), low-resolution:FACTOR (2 to 64) or stroke:WIDTH (1 to 64 pixels)"
            ),
            (
                ["ae", "--sparsity", "kl:2:1"],
                "'kl:2:1' is invalid for '--sparsity <sparsity>': expected l1:LAMBDA (0 < LAMBDA ≤ 1000) or kl:RHO:WEIGHT"
            ),
            (
                ["compare", "--models", "ae,ae"],
                "'ae,ae' is invalid for '--models <models>': expected ae, vae, gan, pca, diffusion separated by commas (each at most once)"
            ),
            (["ae", "--contractive", "0"], "--contractive must be above 0 and at most 1000, got 0.0"),
            (["ae", "--pretrain-epochs", "2"], "--pretrain-epochs needs --pretrain greedy"),
            (
                ["ae", "--reconstruction-loss", "l2"],
                "'l2' is invalid for '--reconstruction-loss <reconstruction-loss>'"
            ),
            (["ae", "--sparsity", "kl:0.05:3"], "--sparsity kl needs --code-activation sigmoid"),
            (
                ["ae", "--contractive", "0.1"],
                "--contractive needs a one-layer encoder (--hidden none, and --arch mlp)"
            ),
            (["vae", "--hidden", "none"], "--hidden none (no hidden layer) is for gen ae"),
            (
                ["ae", "--pretrain", "greedy", "--pretrain-epochs", "5", "--epochs", "3"],
                "--epochs 3: --epochs counts every epoch, and --pretrain greedy takes 10"
            ),
            (["pca", "--latent-dimension", "785"], "--latent-dimension 785: PCA has at most 784 components"),
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
        #expect(
            errorLine(result).contains(
                "\(folder)/train-images-idx3-ubyte: magic number 0x00000801, expected 0x00000803"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: folder + "/out/ae"))  // nothing half-written

        let missing = try runGen(["ae", "--dataset", folder + "/nowhere"])
        #expect(missing.status != 0)
        #expect(errorLine(missing).contains("\(folder)/nowhere: no such folder"))

        // A header claiming images larger than any training image may be: refused from its sizes alone.
        let large = folder + "/large"
        try FileManager.default.createDirectory(atPath: large, withIntermediateDirectories: true)
        try Data([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 8, 0, 0, 0, 8, 0]).write(
            to: URL(fileURLWithPath: large + "/train-images-idx3-ubyte"))
        try Data([0, 0, 8, 1, 0, 0, 0, 1, 0]).write(to: URL(fileURLWithPath: large + "/train-labels-idx1-ubyte"))
        let huge = try runGen(["ae", "--dataset", large, "--out", folder + "/out"])
        #expect(huge.status == 1)
        #expect(
            errorLine(huge).contains(
                "images of 2048x2048 pixels; images to train on may be at most 1024 pixels on a side"))

        // A PNG whose image data fails its checksum: libpng's complaint inside gen's one line, none before it.
        let damaged = folder + "/damaged"
        try FileManager.default.createDirectory(atPath: damaged, withIntermediateDirectories: true)
        try writeTinyPNG(damaged + "/a.png", width: 4, height: 4)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: damaged + "/a.png")))
        bytes[bytes.count - 13] ^= 0xFF  // the last byte of IDAT's checksum
        try Data(bytes).write(to: URL(fileURLWithPath: damaged + "/a.png"))
        let crc = try runGen(["ae", "--dataset", damaged, "--out", folder + "/out"])
        #expect(crc.status == 1 && crc.stderr.split(separator: "\n").count == 1, "\(crc.stderr)")
        #expect(crc.stderr.hasPrefix("Error: \(damaged)/a.png: not a valid PNG image (") && crc.stderr.contains("CRC"))

        // A name with a newline and an escape character stays one line, the characters shown escaped.
        let odd = folder + "/two\nlines\u{1B}[2J"
        try FileManager.default.createDirectory(atPath: odd, withIntermediateDirectories: true)
        let named = try runGen(["ae", "--dataset", odd, "--out", folder + "/out"])
        #expect(named.status == 1 && named.stderr.split(separator: "\n").count == 1, "\(named.stderr)")
        #expect(named.stderr.contains("two\\nlines\\u{1B}[2J: no .png images"), "\(named.stderr)")
    }

    @Test("truncated files, count mismatches and mixed PNG sizes each get one line and a non-zero exit")
    func moreBadData() throws {
        func idx(_ magic: UInt8, _ sizes: [UInt8], _ data: [UInt8]) -> Data {
            Data([0, 0, 8, magic] + sizes.flatMap { [0, 0, 0, $0] } + data)
        }
        let truncated = try scratchFolder()
        try idx(3, [2, 2, 2], [1, 2, 3]).write(to: URL(fileURLWithPath: truncated + "/train-images-idx3-ubyte"))
        try idx(1, [2], [0, 1]).write(to: URL(fileURLWithPath: truncated + "/train-labels-idx1-ubyte"))
        let mismatch = try scratchFolder()
        try idx(3, [2, 2, 2], [UInt8](repeating: 9, count: 8)).write(
            to: URL(fileURLWithPath: mismatch + "/train-images-idx3-ubyte"))
        try idx(1, [3], [0, 1, 2]).write(to: URL(fileURLWithPath: mismatch + "/train-labels-idx1-ubyte"))
        let mixed = try scratchFolder()
        try writeTinyPNG(mixed + "/a.png", width: 4, height: 4)
        try writeTinyPNG(mixed + "/b.png", width: 5, height: 4)
        for (folder, expected) in [
            (
                truncated,
                "\(truncated)/train-images-idx3-ubyte: truncated: sizes [2, 2, 2] need 8 bytes of data, the file has 3"
            ),
            (mismatch, "\(mismatch)/train-labels-idx1-ubyte: 3 labels for 2 images"),
            (mixed, "\(mixed)/b.png: 5x4 pixels, expected 4x4"),
        ] {
            let result = try runGen(["vae", "--dataset", folder, "--out", folder + "/out"])
            #expect(result.status != 0)
            #expect(errorLine(result).contains(expected), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
    }

    @Test(
        "a tiny run writes its figures, film, pages and metrics, reuses its checkpoint, and is byte-for-byte repeatable"
    )
    func endToEnd() throws {
        let folder = try scratchFolder()
        let common = [
            "ae", "--dataset", "synthetic", "--epochs", "1", "--hidden", "16", "--latent-dimension", "2",
            "--batch-size", "64", "--grid", "4", "--steps", "4", "--samples", "--interpolate", "--reconstruct",
            "--latent-map", "--manifold", "--film", "--path", "slerp",
            "--checkpoint", folder + "/ae.safetensors", "--quiet",
        ]
        let first = try runGen(common + ["--out", folder + "/a"])
        #expect(first.status == 0, "\(first.stderr)")
        for file in [
            "samples.png", "interpolation.png", "reconstruction.png", "latent-map.png", "manifold.png", "curves.png",
            "film.gif", "metrics.jsonl", "index.html", "figures.json",
        ] {
            #expect(FileManager.default.fileExists(atPath: "\(folder)/a/ae/\(file)"), "\(file)")
        }
        let page = try String(contentsOfFile: folder + "/a/ae/index.html", encoding: .utf8)
        #expect(page.contains("<img src=\"film.gif\"") && page.contains("--latent-map"))
        #expect(
            try String(contentsOfFile: folder + "/a/index.html", encoding: .utf8).contains("href=\"ae/index.html\""))
        let metrics = try String(contentsOfFile: folder + "/a/ae/metrics.jsonl", encoding: .utf8)
        let line =
            try JSONSerialization.jsonObject(with: Data(metrics.split(separator: "\n")[0].utf8)) as! [String: Any]
        #expect(line["epoch"] as? Int == 1)
        #expect((line["seconds"] as? Double ?? 0) > 0)
        #expect(line["train_loss"] != nil && line["test_loss"] != nil)
        #expect((line["loss_reduction"] as? String)?.contains("summed over pixels, averaged over images") == true)

        let reuse = try runGen(common.filter { $0 != "--quiet" } + ["--out", folder + "/b"])
        #expect(reuse.status == 0)
        #expect(reuse.stdout.contains("Reusing"))
        #expect(reuse.stderr.contains("the film is recorded while training"))
        let retrain = try runGen(common + ["--out", folder + "/c", "--retrain"])
        #expect(retrain.status == 0)
        for file in [
            "samples.png", "interpolation.png", "reconstruction.png", "latent-map.png", "manifold.png", "curves.png",
        ] {
            let a = FileManager.default.contents(atPath: "\(folder)/a/ae/\(file)")
            #expect(a != nil && a == FileManager.default.contents(atPath: "\(folder)/b/ae/\(file)"), "\(file) reused")
            #expect(a == FileManager.default.contents(atPath: "\(folder)/c/ae/\(file)"), "\(file) retrained")
        }
        let film = FileManager.default.contents(atPath: folder + "/a/ae/film.gif")
        #expect(
            film != nil && film == FileManager.default.contents(atPath: folder + "/c/ae/film.gif"), "film retrained")
    }

    @Test("a cached run keeps the film recorded when it was trained: a run reusing the model shows the same film")
    func keptFilm() throws {
        let folder = try scratchFolder()
        let common = [
            "gan", "--dataset", "synthetic", "--epochs", "1", "--hidden", "16", "--latent-dimension", "4", "--film",
            "--grid", "4", "--quiet",
        ]
        let cache = ["XDG_CACHE_HOME": folder + "/cache"]
        let first = try runGen(common + ["--out", folder + "/a"], environment: cache)
        let second = try runGen(common + ["--out", folder + "/b"], environment: cache)
        #expect(first.status == 0 && second.status == 0, "\(first.stderr)\(second.stderr)")
        #expect(!second.stderr.contains("the film is recorded while training"), "\(second.stderr)")
        let film = FileManager.default.contents(atPath: folder + "/a/gan/film.gif")
        #expect(film != nil && film == FileManager.default.contents(atPath: folder + "/b/gan/film.gif"))
        #expect(
            try String(contentsOfFile: folder + "/b/gan/index.html", encoding: .utf8).contains("<img src=\"film.gif\""))
    }

    @Test("a --checkpoint that is not a checkpoint is refused before any work and left as it was")
    func wrongCheckpointIsKept() throws {
        let folder = try scratchFolder()
        let notes = folder + "/notes.txt"
        try Data("notes\n".utf8).write(to: URL(fileURLWithPath: notes))
        let result = try runGen([
            "ae", "--dataset", "synthetic", "--epochs", "1", "--checkpoint", notes, "--out", folder + "/out",
        ])
        #expect(result.status != 0)
        #expect(errorLine(result).contains("--checkpoint \(notes): truncated"), "\(result.stderr)")
        #expect(errorLine(result).contains("left untouched (--retrain replaces it)"))
        #expect(FileManager.default.contents(atPath: notes) == Data("notes\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: folder + "/out/ae"))
    }

    @Test(
        "the custom-autoencoder script builds its own network, trains it with a cosine schedule and writes its page; --help trains nothing"
    )
    func customAutoencoderScript() throws {
        let folder = try scratchFolder()
        let script = genExecutable.deletingLastPathComponent().appendingPathComponent("custom-autoencoder")
        let help = try run(script, ["--help", "--out", folder])
        #expect(help.status == 0 && help.stdout.contains("--quick") && help.stderr.isEmpty, "\(help.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        let result = try run(script, ["--quick", "--out", folder], environment: ["XDG_CACHE_HOME": folder + "/cache"])
        #expect(result.status == 0, "\(result.stderr)")
        for file in ["denoising.png", "curves.png", "notebook.json", "index.html"] {
            #expect(FileManager.default.fileExists(atPath: "\(folder)/custom-autoencoder/\(file)"), "\(file)")
        }
        let page = try String(contentsOfFile: folder + "/custom-autoencoder/notebook.json", encoding: .utf8)
        #expect(page.contains("Upsample2D") && page.contains("schedule: .cosine(steps: steps)"))
        #expect(
            try String(contentsOfFile: folder + "/index.html", encoding: .utf8).contains(
                "custom-autoencoder/index.html"))
    }

    @Test("what can be checked before training is checked before training")
    func checkedBeforeTraining() throws {
        let data = try tinyIDXFolder()
        let folder = try scratchFolder()
        _ = FileManager.default.createFile(atPath: folder + "/ae", contents: Data("mine".utf8))
        let fileInTheWay = try runGen([
            "ae", "--dataset", data, "--epochs", "1", "--out", folder, "--checkpoint", folder + "/x.safetensors",
        ])
        #expect(fileInTheWay.status != 0)
        #expect(errorLine(fileInTheWay).contains("\(folder)/ae: is a file, not a folder"), "\(fileInTheWay.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.safetensors"), "it trained first")
        let folderCheckpoint = try runGen([
            "ae", "--dataset", data, "--epochs", "1", "--out", folder + "/o", "--checkpoint", folder,
        ])
        #expect(errorLine(folderCheckpoint).contains("not a regular file"), "\(folderCheckpoint.stderr)")
        let k = try runGen([
            "gan", "--dataset", data, "--discriminator-steps", "5", "--batch-size", "32", "--out", folder + "/o",
        ])
        #expect(errorLine(k).contains("--discriminator-steps 5: an epoch has only 2 batches of 32"), "\(k.stderr)")
    }

    @Test("gen bench reports every promised figure, as JSON lines, the ratio the one of its epoch and floor")
    func bench() throws {
        let data = try tinyIDXFolder(count: 512)
        let result = try runGen(["bench", "all", "--dataset", data, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 8)
        var names: [String] = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for key in [
                "model", "seconds_per_epoch", "fastest_epoch_seconds", "gemm_floor_seconds", "floor_ratio", "gflops",
                "gemm_share", "optimizer_share", "peak_mb",
            ] {
                #expect(object[key] != nil, "\(key) missing in \(line)")
            }
            let floor = try #require(object["gemm_floor_seconds"] as? Double),
                seconds = try #require(object["seconds_per_epoch"] as? Double)
            let share = try #require(object["gemm_share"] as? Double), model = try #require(object["model"] as? String)
            // Time inside the epoch's products and its optimizer steps is part of the epoch,
            // whatever else the machine does.
            let optimizerShare = try #require(object["optimizer_share"] as? Double)
            #expect(floor > 0 && share > 0 && optimizerShare > 0 && share + optimizerShare <= 1, "\(line)")
            // The floor and the epoch are timed apart, and tests run side by side, so how they
            // compare is the benchmark's finding, not something a test can promise; the ratio
            // reported must be the one of the two figures reported.
            let ratio = try #require(object["floor_ratio"] as? Double),
                fastest = try #require(object["fastest_epoch_seconds"] as? Double)
            #expect(abs(ratio - fastest / floor) <= 1e-5 * ratio, "\(line)")  // each printed to 6 digits
            #expect(
                fastest > 0 && fastest <= seconds * (1 + 1e-5), "the fastest epoch is no slower than the mean: \(line)")
            // What ran: OpenBLAS for the products, and for a conv model each convolution's code,
            // and only its own (not the models measured before it).
            let kernels = try #require(object["kernels"] as? [String], "\(line)")
            #expect(kernels.first?.hasPrefix("matrix products: OpenBLAS") == true, "\(line)")
            let convolutions = kernels.filter { $0.contains("Conv2D(") }
            #expect(
                model.contains("conv") || model == "dcgan" ? !convolutions.isEmpty : convolutions.isEmpty, "\(line)")
            #expect(convolutions.allSatisfy { $0.contains("im2col") || $0.contains("oneDNN") }, "\(line)")
            // The floor holds oneDNN's convolutions where a layer ran there, and only there.
            let oneDNNFloor = try #require(object["onednn_floor_seconds"] as? Double, "\(line)")
            #expect(
                convolutions.contains { $0.contains("oneDNN") }
                    ? oneDNNFloor > 0 && oneDNNFloor < floor : oneDNNFloor == 0,
                "\(line)")
            names.append(model)
        }
        #expect(names == ["ae", "vae", "gan", "diffusion", "conv-ae", "conv-vae", "dcgan", "conv-diffusion"])
    }

    @Test("gen bench --convolution puts every convolution the rule could take on one engine, and refuses another word")
    func benchEngine() throws {
        let data = try tinyIDXFolder(count: 256)
        // The conv AE's 32 -> 64 convolutions run on oneDNN by the rule (auto); the one-channel ones never do.
        for (choice, expected) in [
            ("im2col", ["im2col"]), ("onednn", ["oneDNN", "im2col"]), ("auto", ["oneDNN", "im2col"]),
        ] {
            let result = try runGen(["bench", "conv-ae", "--dataset", data, "--json", "--convolution", choice])
            #expect(result.status == 0, "\(result.stderr)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let convolutions = try #require(object["kernels"] as? [String]).filter { $0.contains("Conv2D(") }
            let engines = Set(convolutions.map { $0.contains("oneDNN") ? "oneDNN" : "im2col" })
            #expect(engines == Set(expected), "\(choice): \(convolutions)")
            #expect(
                convolutions.filter { $0.contains("(1 →") || $0.contains("→ 1,") }.allSatisfy { $0.contains("im2col") },
                "\(choice): \(convolutions)")
        }
        let wrong = try runGen(["bench", "conv-ae", "--dataset", data, "--convolution", "cuda"])
        #expect(wrong.status != 0 && errorLine(wrong).contains("auto, onednn or im2col"), "\(wrong.stderr)")
    }

    @Test("--arch conv trains the conv models into their own folders, and refuses images whose sides do not halve")
    func convolutional() throws {
        let data = try tinyIDXFolder(count: 64)
        let folder = try scratchFolder()
        let gan = try runGen([
            "gan", "--arch", "conv", "--hidden", "8,4", "--dataset", data, "--epochs", "1", "--batch-size", "32",
            "--out", folder, "--checkpoint", folder + "/d.safetensors", "--quiet",
        ])
        #expect(gan.status == 0, "\(gan.stderr)")
        // Same seed, same threads, another process: the same figure, byte for byte.
        let twin = try runGen([
            "gan", "--arch", "conv", "--hidden", "8,4", "--dataset", data, "--epochs", "1", "--batch-size", "32",
            "--out", folder + "/twin", "--checkpoint", folder + "/twin.safetensors", "--quiet",
        ])
        #expect(twin.status == 0, "\(twin.stderr)")
        let first = try Data(contentsOf: URL(fileURLWithPath: folder + "/dcgan/samples.png"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/twin/dcgan/samples.png")) == first)
        // The file alone says it holds a DCGAN: no --arch needed to reuse it.
        let again = try runGen(["gan", "--checkpoint", folder + "/d.safetensors", "--out", folder])
        #expect(
            again.status == 0 && (again.stdout + again.stderr).contains("Reusing \(folder)/d.safetensors (1 epoch)"),
            "\(again.stdout) \(again.stderr)")
        let compare = try runGen(
            [
                "compare", "--arch", "conv", "--hidden", "4,8", "--dataset", data, "--epochs", "1", "--batch-size",
                "32",
                "--out", folder, "--quiet",
            ], environment: ["XDG_CACHE_HOME": folder + "/cache"])
        #expect(compare.status == 0, "\(compare.stderr)")
        for file in ["samples.png", "interpolation.png", "table.png"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/compare-conv/" + file), "\(file)")
        }
        // The judge's scores are in the table and on the page.
        let page = try String(contentsOfFile: folder + "/compare-conv/index.html", encoding: .utf8)
        #expect(page.contains("FD, precision, recall, classes"), "the comparison page names the judge's columns")
        let pngs = try scratchFolder()
        for i in 0..<12 { try writeTinyPNG(pngs + "/\(i).png", width: 30, height: 30) }
        let refused = try runGen(["vae", "--arch", "conv", "--dataset", pngs, "--out", folder + "/o"])
        #expect(errorLine(refused).contains("needs image sides divisible by 4, got 30×30"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/o/conv-vae"), "it made the folder before refusing")
    }

    @Test(
        "gen diffusion trains its MLP and U-Net denoisers, draws the same DDIM samples twice, and refuses what cannot apply"
    )
    func diffusion() throws {
        let data = try tinyIDXFolder(count: 64)
        let folder = try scratchFolder()
        for (arch, hidden, name) in [("mlp", "32,32", "diffusion"), ("conv", "4,8", "conv-diffusion")] {
            let arguments = [
                "diffusion", "--arch", arch, "--hidden", hidden, "--dataset", data, "--epochs", "1", "--batch-size",
                "32", "--diffusion-steps", "50", "--sampling-steps", "5", "--samples", "--interpolate", "--quiet",
            ]
            for twin in ["a", "b"] {
                let result = try runGen(
                    arguments + ["--out", folder + "/" + twin, "--checkpoint", folder + "/\(arch)-\(twin).safetensors"])
                #expect(result.status == 0, "\(result.stderr)")
            }
            let samples = try Data(contentsOf: URL(fileURLWithPath: folder + "/a/\(name)/samples.png"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/b/\(name)/samples.png")) == samples)
            // A diffusion model averages its weights unless told `none` (the state is in the file's header).
            #expect(try safetensorsHeader(folder + "/\(arch)-a.safetensors").contains("weight_average.state"))
            if arch == "mlp" {
                let plain = try runGen(
                    arguments + [
                        "--weight-average", "none", "--out", folder + "/none", "--checkpoint",
                        folder + "/none.safetensors",
                    ])
                #expect(plain.status == 0, "\(plain.stderr)")
                #expect(try !safetensorsHeader(folder + "/none.safetensors").contains("weight_average"))
                #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/none/\(name)/samples.png")) != samples)
            }
            let metrics = try String(contentsOfFile: folder + "/a/\(name)/metrics.jsonl", encoding: .utf8)
            #expect(metrics.contains("averaged over every number of every item"), "the loss states its reduction")
            // The explorer of the model just trained (DiffusionExplorerTests checks the page's pixels).
            let explored = try runGen(
                [
                    "explore", "diffusion", "--dataset", data, "--quiet", "--out", folder + "/a", "--checkpoint",
                    folder + "/\(arch)-a.safetensors",
                ])
            #expect(explored.status == 0, "\(explored.stderr)")
            let page = try String(contentsOfFile: folder + "/a/\(name)/explore.html", encoding: .utf8)
            #expect(page.contains("denoising in the browser") && page.contains("\"T\":50"), "\(name)'s explorer")
        }
        let refusals: [([String], String)] = [
            (["--latent-dimension", "8"], "gen diffusion does not use --latent-dimension"),
            (["--arch", "conv", "--hidden", "4"], "takes two channel counts in --hidden"),
            (["--diffusion-steps", "50", "--sampling-steps", "60"], "--sampling-steps"),
        ]
        for (flags, message) in refusals {
            let refused = try runGen(["diffusion", "--dataset", data, "--out", folder + "/refused"] + flags)
            #expect(refused.status != 0 && errorLine(refused).contains(message), "\(flags): \(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/refused/diffusion"), "\(flags): made a folder")
        }
    }

    @Test(
        "the autoencoder family on the command line: PCA and a denoising AE measured, figures drawn, the same numbers twice"
    )
    func autoencoderFamily() throws {
        let data = try tinyIDXFolder(count: 64)
        let folder = try scratchFolder()
        let pca = try runGen(
            [
                "pca", "--dataset", data, "--latent-dimension", "5", "--out", folder, "--measure", "--reconstruct",
                "--denoise",
            ],
            environment: ["XDG_CACHE_HOME": folder + "/cache"])
        #expect(pca.status == 0, "\(pca.stderr)")
        #expect(
            pca.stdout.contains("PCA, 64 test images:") && pca.stdout.contains("reconstruction_mse"), "\(pca.stdout)")
        let measures = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: folder + "/pca/measures.json"))) as? [String: Any])
        #expect(
            measures["model"] as? String == "pca" && measures["epochs"] as? Int == 1 && measures["contraction"] != nil)
        for file in ["reconstruction.png", "denoising.png", "curves.png"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/pca/" + file), "\(file)")
        }
        let arguments = [
            "ae", "--dataset", data, "--hidden", "none", "--code-activation", "sigmoid", "--corruption",
            "salt-pepper:0.2",
            "--sparsity", "l1:0.01", "--tied-weights", "--reconstruction-loss", "mse", "--epochs", "2", "--batch-size",
            "32", "--denoise", "--measure", "--quiet",
        ]
        let first = try runGen(arguments + ["--out", folder + "/a", "--checkpoint", folder + "/a.safetensors"])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try runGen(arguments + ["--out", folder + "/b", "--checkpoint", folder + "/b.safetensors"])
        #expect(second.status == 0, "\(second.stderr)")
        let metrics = try String(contentsOfFile: folder + "/a/ae/metrics.jsonl", encoding: .utf8)
        #expect(
            metrics.contains(
                #""loss_reduction":"squared error summed over pixels, averaged over images of the clean image from its corrupted copy (salt-and-pepper noise, 20.0% of pixels set to 0 or 1) + 0.01 Σ|h|, summed over code units, averaged over images""#
            ), "\(metrics)")
        for file in ["denoising.png", "measures.json"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: folder + "/a/ae/" + file)),
                b = try Data(contentsOf: URL(fileURLWithPath: folder + "/b/ae/" + file))
            #expect(a == b, "\(file) differs between two runs with one seed")
        }
        // The checkpoint alone rebuilds the variant: no flag but the file.
        let again = try runGen(["ae", "--checkpoint", folder + "/a.safetensors", "--out", folder + "/a", "--measure"])
        #expect(again.status == 0 && again.stdout.contains("Reusing"), "\(again.stdout) \(again.stderr)")
    }

    @Test(
        "gen judge reports its accuracy; gen eval scores images from a file and a model's samples, exports them, and refuses to replace a file"
    )
    func evaluation() throws {
        let data = try tinyIDXFolder(count: 64)
        let folder = try scratchFolder()
        let environment = ["XDG_CACHE_HOME": folder + "/cache"]
        let judge = try runGen(
            ["judge", "--dataset", data, "--out", folder, "--quiet"], environment: environment)
        #expect(judge.status == 0 && judge.stdout.contains("test accuracy"), "\(judge.stdout) \(judge.stderr)")
        let scored = try runGen(
            [
                "eval", "vae", "--dataset", data, "--epochs", "1", "--hidden", "16", "--count", "40", "--out", folder,
                "--export-samples", folder + "/samples.idx", "--json", "--quiet",
            ], environment: environment)
        #expect(scored.status == 0, "\(scored.stderr)")
        let line = try #require(scored.stdout.split(separator: "\n").last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        for key in [
            "fd", "precision", "recall", "density", "coverage", "classes", "entropy", "count", "test_reconstruction",
            "negative_elbo",
        ] { #expect(object[key] != nil, "\(key) in \(line)") }
        #expect(
            object["count"] as? Int == 40 && FileManager.default.fileExists(atPath: folder + "/vae/memorisation.png"))
        let page = try String(contentsOfFile: folder + "/vae/index.html", encoding: .utf8)
        #expect(
            page.contains("memorisation.png") && page.contains("eval: fd"),
            "the model's page shows the scores and the figure")
        // The exported samples, scored as images from elsewhere, give the same numbers: by the same
        // judge, whatever the run's seed and batch size (one judge per dataset, trained once).
        let again = try runGen(
            [
                "eval", "--images", folder + "/samples.idx", "--dataset", data, "--out", folder, "--json", "--quiet",
                "--seed", "3", "--batch-size", "16",
            ], environment: environment)
        #expect(again.status == 0, "\(again.stderr)")
        let other = try #require(
            try JSONSerialization.jsonObject(with: Data(again.stdout.split(separator: "\n").last!.utf8))
                as? [String: Any])
        #expect(
            (other["fd"] as? Double).map { abs($0 - (object["fd"] as! Double)) < 1e-2 * max(1, $0) } == true,
            "\(other) vs \(object)")
        let judges = try FileManager.default.contentsOfDirectory(atPath: folder + "/cache/gen").filter {
            $0.hasPrefix("conv-classifier") && $0.hasSuffix(".safetensors")
        }
        #expect(judges.count == 1, "\(judges)")
        let refused = try runGen(
            ["eval", "vae", "--dataset", data, "--out", folder, "--export-samples", folder + "/samples.idx"],
            environment: environment)
        #expect(
            refused.status != 0 && errorLine(refused).contains("--export-samples \(folder)/samples.idx: exists"),
            "\(refused.stderr)")
        let both = try runGen(
            ["eval", "vae", "--images", folder + "/samples.idx", "--dataset", data], environment: environment)
        #expect(
            errorLine(both).contains("gen eval takes a model (ae, vae, gan, pca) or --images PATH, not both or neither")
        )
    }

    @Test("an unknown command is answered with the list of commands")
    func unknownCommand() throws {
        let result = try runGen(["foo"])
        #expect(result.status == 64)
        #expect(
            errorLine(result)
                == "Error: 'foo' is not a gen command; the commands are ae, vae, gan, diffusion, pca, classify, judge, eval, compare, explore, bench (gen --help says more)"
        )
    }

    @Test("--help lists the three models")
    func help() throws {
        let result = try runGen(["--help"])
        #expect(result.status == 0)
        for name in ["ae", "vae", "gan"] { #expect(result.stdout.contains("  \(name) ")) }
    }
}

/// A grey PNG of the given size, written with a tiny encoder (stored zlib blocks), so the test
/// needs no image library.
/// The JSON header of a safetensors file: its first 8 bytes give the header's length (little-endian).
func safetensorsHeader(_ path: String) throws -> String {
    let file = try Data(contentsOf: URL(fileURLWithPath: path))
    let length = file.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
    return String(decoding: file.dropFirst(8).prefix(length), as: UTF8.self)
}

func writeTinyPNG(_ path: String, width: Int, height: Int) throws {
    func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
    func crc(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return ~c
    }
    func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(UInt32(data.count)) + body + be32(crc(body))
    }
    var raw: [UInt8] = []
    for _ in 0..<height { raw += [0] + [UInt8](repeating: 128, count: width) }
    var a: UInt32 = 1, b: UInt32 = 0
    for x in raw { a = (a + UInt32(x)) % 65521; b = (b + a) % 65521 }
    let n = UInt16(raw.count)
    let zlib: [UInt8] =
        [0x78, 0x01, 1, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8)] + raw + be32(b << 16 | a)
    let header = be32(UInt32(width)) + be32(UInt32(height)) + [8, 0, 0, 0, 0]
    let png: [UInt8] =
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", zlib)
        + chunk("IEND", [])
    try Data(png).write(to: URL(fileURLWithPath: path))
}
