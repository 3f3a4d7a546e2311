import Datasets
import Foundation
import NN

/// Why training stopped early.
public enum TrainingError: Error, CustomStringConvertible {
    /// The loss became NaN or infinite.
    case diverged(epoch: Int, batch: Int, loss: Float, keptCheckpoint: String?)
    /// The user interrupted (Ctrl-C).
    case interrupted(epoch: Int, keptCheckpoint: String?, completedEpochs: Int)

    public var description: String {
        switch self {
        case let .diverged(epoch, batch, loss, kept):
            return "training diverged: loss \(loss) in epoch \(epoch), batch \(batch); try a lower --learning-rate"
                + (kept.map { ". The last good checkpoint is kept at \($0)" } ?? "")
        case let .interrupted(epoch, kept, completed):
            return "interrupted in epoch \(epoch)"
                + (kept.map { "; the checkpoint after epoch \(completed) is at \($0), continue with --resume" }
                   ?? "; nothing was saved, as no epoch had finished")
        }
    }
}

/// Progress reports from the trainer; the CLI draws them.
public enum TrainingEvent {
    /// `runningLoss`: the mean of the epoch's batch losses so far.
    case batch(epoch: Int, epochs: Int, batch: Int, batches: Int, runningLoss: Double, imagesPerSecond: Double, secondsLeft: Double)
    /// `metrics`: the epoch's figures by name, as in `metricsLine`.
    case epoch(epoch: Int, epochs: Int, metrics: [(String, Double)], metricsLine: String)
}

/// Runs epochs of a model over data; saves a checkpoint after every epoch and writes metrics.
public struct Trainer {
    public var epochs: Int
    public var batchSize: Int
    public var seed: UInt64
    /// Where the checkpoint goes (written after every epoch, atomically).
    public var checkpointPath: String?
    /// Entries the checkpoint's metadata carries besides the trainer's own (e.g. the settings
    /// that rebuild a `ModelKind`'s model from the file alone).
    public var checkpointMetadata: [String: String] = [:]
    /// Set by a signal handler to stop at the next batch.
    public var shouldStop: () -> Bool = { false }
    public var onEvent: (TrainingEvent) -> Void = { _ in }

    public init(epochs: Int, batchSize: Int, seed: UInt64, checkpointPath: String?) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
        self.checkpointPath = checkpointPath
    }

    /// The generator for epoch `epoch`'s shuffling and noise: derived from the seed and the epoch
    /// alone, so that resuming after epoch e replays epochs e+1... exactly as an unbroken run.
    public static func generator(seed: UInt64, epoch: Int, purpose: UInt64 = 0) -> SeededGenerator {
        var mixer = SeededGenerator(seed: seed ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15) ^ (purpose &* 0xD1B5_4A32_D192_ED03))
        return SeededGenerator(seed: mixer.next())
    }

    /// Trains from `state` (epochs already done and their metrics lines) to `epochs`.
    /// Returns all metrics lines, one per epoch.
    public func train(_ model: any TrainableModel, data: DatasetSplits,
                      resumingFrom state: CheckpointState = CheckpointState()) throws -> [String] {
        let datasetName = data.train.name
        var lines = state.metricsLines
        guard state.completedEpochs < epochs else { return lines }
        for epoch in (state.completedEpochs + 1)...epochs {
            var random: SeededGenerator? = Trainer.generator(seed: seed, epoch: epoch)
            let batches = Batches(data.train, batchSize: batchSize, range: model.pixelRange, shuffledBy: &random)
            var noise = Trainer.generator(seed: seed, epoch: epoch, purpose: 1)
            model.beginEpoch(number: epoch)
            let start = DispatchTime.now().uptimeNanoseconds
            var seen = 0, lossSum = 0.0
            for (index, batch) in batches.enumerated() {
                if shouldStop() {
                    throw TrainingError.interrupted(epoch: epoch, keptCheckpoint: epoch > 1 ? checkpointPath : nil, completedEpochs: epoch - 1)
                }
                let loss = model.trainStep(batch, generator: &noise)
                guard loss.isFinite else {
                    throw TrainingError.diverged(epoch: epoch, batch: index + 1, loss: loss, keptCheckpoint: epoch > 1 ? checkpointPath : nil)
                }
                seen += batch.count
                lossSum += Double(loss)
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let rate = Double(seen) / max(elapsed, 1e-9)
                // In Double: a huge --epochs must not overflow an Int here.
                let left = (Double(batches.dataset.count - seen) + Double(epochs - epoch) * Double(batches.dataset.count)) / rate
                onEvent(.batch(epoch: epoch, epochs: epochs, batch: index + 1, batches: batches.count, runningLoss: lossSum / Double(index + 1),
                               imagesPerSecond: rate, secondsLeft: left))
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            var evaluation = Trainer.generator(seed: seed, epoch: epoch, purpose: 2)
            let metrics = [("epoch", Double(epoch)), ("seconds", seconds)] + model.epochMetrics()
                + model.evaluate(data.test, generator: &evaluation)
            let line = jsonObject([("model", jsonQuoted(model.name)), ("dataset", jsonQuoted(datasetName))]
                                  + metrics.map { ($0.0, $0.0 == "epoch" ? String(Int($0.1)) : jsonNumber($0.1)) }
                                  + [("images_per_second", jsonNumber(Double(seen) / max(seconds, 1e-9))),
                                     ("loss_reduction", jsonQuoted(model.lossDescription))])
            lines.append(line)
            if let path = checkpointPath {
                try CheckpointState(completedEpochs: epoch, metricsLines: lines)
                    .save(model, to: path, seed: seed, datasetName: datasetName, extraMetadata: checkpointMetadata)
            }
            onEvent(.epoch(epoch: epoch, epochs: epochs, metrics: metrics, metricsLine: line))
        }
        return lines
    }
}
