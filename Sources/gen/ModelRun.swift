import Datasets
import Foundation
import Gallery
import Models
import NN

/// One `gen <model>` invocation: data, checkpoint (reuse, resume or train), figures, metrics.
struct ModelRun {
    let options: CommonOptions

    func run(makeModel: (DataSource.Splits) -> any GenerativeModel) throws {
        BLAS.setThreadCount(options.threads)
        let source = DataSource(argument: options.dataset)
        let data = try source.load(imageSize: options.imageSize)
        if let notice = data.notice { printError(notice) }
        let datasetName = data.train.name
        var model = makeModel(data)
        let checkpointPath = try options.checkpoint ?? defaultCheckpointPath(model, datasetName: datasetName)
        var state = CheckpointState()

        if !options.retrain, FileManager.default.fileExists(atPath: checkpointPath) {
            do {
                let saved = try CheckpointState.load(into: model, from: checkpointPath)
                if saved.completedEpochs == options.epochs {
                    state = saved
                    say("Reusing \(checkpointPath) (\(saved.completedEpochs) epochs); --retrain trains again.")
                } else if saved.completedEpochs < options.epochs && options.resume {
                    state = saved
                    say("Resuming \(checkpointPath) after epoch \(saved.completedEpochs).")
                } else {
                    model = makeModel(data)   // the loaded weights are not the run asked for: start afresh
                    say("Checkpoint \(checkpointPath) has \(saved.completedEpochs) epochs, not \(options.epochs)\(saved.completedEpochs < options.epochs ? " (--resume continues it)" : ""); training from scratch.")
                }
            } catch {
                printError("warning: cannot use \(error); training from scratch.")
            }
        } else if options.resume {
            say("No checkpoint at \(checkpointPath) to resume; training from scratch.")
        }

        let progress = Progress(quiet: options.quiet)
        var trainer = Trainer(epochs: options.epochs, batchSize: options.batchSize, seed: options.seed, checkpointPath: checkpointPath)
        trainer.onEvent = progress.report
        trainer.shouldStop = InterruptFlag.isSet
        InterruptFlag.install()
        let lines: [String]
        do {
            lines = try trainer.train(model, data: data, datasetName: datasetName, resumingFrom: state)
        } catch {
            progress.finishLine()
            throw error
        }
        progress.finishLine()

        let folder = options.out + "/" + model.kind
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try writeAtomically(Data((lines.joined(separator: "\n") + "\n").utf8), to: folder + "/metrics.jsonl")
        try drawFigures(model, data: data, folder: folder)
    }

    func drawFigures(_ model: any GenerativeModel, data: DataSource.Splits, folder: String) throws {
        let layout = ImageLayout(channels: data.train.channels, height: data.train.height, width: data.train.width)
        var random = SeededGenerator(seed: options.seed ^ 0x5A17_F16E)
        if options.samples {
            let n = options.grid
            let images = model.sample(count: n * n, temperature: options.temperature, generator: &random)
            try ImageGrid(layout: layout, rows: n, columns: n).write(images, to: folder + "/samples.png")
            say("Wrote \(folder)/samples.png")
        }
        if options.interpolate {
            let rows = 8
            let images = model.interpolate(pairs: rows, steps: options.steps, test: data.test, generator: &random)
            try ImageGrid(layout: layout, rows: rows, columns: options.steps).write(images, to: folder + "/interpolation.png")
            say("Wrote \(folder)/interpolation.png")
        }
        if options.reconstruct {
            let columns = 10, pairs = 4
            let chosen = (0..<(columns * pairs)).map { _ in random.nextInt(below: data.test.count) }
            let originals = data.test.images(chosen, range: .unit)
            if let reconstructions = model.reconstruct(originals) {
                // Row pairs: ten originals, then their ten reconstructions beneath.
                let stacked = Tensor(zeros: [2 * columns * pairs, layout.size])
                for p in 0..<pairs {
                    for c in 0..<columns {
                        let source = p * columns + c
                        (stacked.data + ((2 * p) * columns + c) * layout.size).update(from: originals.data + source * layout.size, count: layout.size)
                        (stacked.data + ((2 * p + 1) * columns + c) * layout.size).update(from: reconstructions.data + source * layout.size, count: layout.size)
                    }
                }
                try ImageGrid(layout: layout, rows: 2 * pairs, columns: columns).write(stacked, to: folder + "/reconstruction.png")
                say("Wrote \(folder)/reconstruction.png")
            } else {
                printError("note: a GAN has no encoder, so --reconstruct draws nothing for it.")
            }
        }
    }

    /// ~/.cache/gen/<model>-<dataset>-<hash>.safetensors, the hash covering everything that changes
    /// the trained weights except the epoch count (kept in the file, so --resume can extend it).
    func defaultCheckpointPath(_ model: any GenerativeModel, datasetName: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"].map { $0 + "/gen" } ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/gen"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let key = "\(model.configurationJSON)|\(options.dataset)|\(datasetName)|\(options.imageSize ?? 0)|seed=\(options.seed)|batch=\(options.batchSize)"
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325            // FNV-1a, 64-bit
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        let safeName = datasetName.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        return "\(base)/\(model.kind)-\(safeName)-\(String(hash, radix: 16)).safetensors"
    }

    func say(_ line: String) { if !options.quiet { print(line) } }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
