import Datasets
import Foundation
import Gallery
import Models
import NN

/// A model after `ModelRun`: trained now or loaded from its checkpoint.
struct TrainedModel {
    let model: any GenerativeModel
    let data: DataSource.Splits
    let metricsLines: [String]
    var datasetName: String { data.train.name }
    /// The metrics lines parsed, one dictionary per epoch.
    var metricRecords: [[String: Any]] {
        metricsLines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
    var layout: ImageLayout { imageLayout(of: data.train) }
}

/// One model's part of a `gen` invocation: data, then the checkpoint (reuse, resume or train).
struct ModelRun {
    let options: CommonOptions

    /// Loads the data and trains (or reuses) the model `makeModel` builds; `onEpoch` sees the
    /// model, the epoch and the data after each trained epoch (the film's frames).
    func train(makeModel: (DataSource.Splits) -> any GenerativeModel,
               onEpoch: @escaping (any GenerativeModel, Int, DataSource.Splits) -> Void = { _, _, _ in }) throws -> TrainedModel {
        BLAS.setThreadCount(options.threads)
        let data = try DataSource(argument: options.dataset).load(imageSize: options.imageSize)
        if let notice = data.notice { printError(notice) }
        var model = makeModel(data)
        let checkpointPath = try options.checkpoint ?? defaultCheckpointPath(model, datasetName: data.train.name)
        var state = CheckpointState()

        if !options.retrain, FileManager.default.fileExists(atPath: checkpointPath) {
            do {
                let saved = try CheckpointState.load(into: model, from: checkpointPath)
                if saved.completedEpochs == options.epochs {
                    say("Reusing \(checkpointPath) (\(saved.completedEpochs) epochs); --retrain trains again.")
                    return TrainedModel(model: model, data: data, metricsLines: saved.metricsLines)
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
        let trainedModel = model
        trainer.onEvent = { event in
            progress.report(event)
            if case let .epoch(epoch, _, _, _) = event { onEpoch(trainedModel, epoch, data) }
        }
        trainer.shouldStop = InterruptFlag.isSet
        InterruptFlag.install()
        defer { progress.finishLine() }
        let lines = try trainer.train(model, data: data, datasetName: data.train.name, resumingFrom: state)
        return TrainedModel(model: model, data: data, metricsLines: lines)
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

/// How a data set's images are laid out in tensor rows.
func imageLayout(of dataset: Dataset) -> ImageLayout {
    ImageLayout(channels: dataset.channels, height: dataset.height, width: dataset.width)
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// The command line as typed, for captions: `gen vae --samples`.
var commandLineText: String {
    (["gen"] + CommandLine.arguments.dropFirst().map { $0.contains(" ") ? "'\($0)'" : $0 }).joined(separator: " ")
}
