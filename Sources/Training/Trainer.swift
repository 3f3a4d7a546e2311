import Datasets
import Foundation
import Models
import NN

/// Why training stopped early.
public enum TrainingError: Error, CustomStringConvertible {
    /// The loss became NaN or infinite.
    case diverged(model: String, epoch: Int, batch: Int, loss: Float, keptCheckpoint: String?)
    /// The user interrupted (Ctrl-C).
    case interrupted(epoch: Int, keptCheckpoint: String?, completedEpochs: Int)

    public var description: String {
        switch self {
        case let .diverged(model, epoch, batch, loss, kept):
            return
                "training the \(model) diverged: loss \(loss) in epoch \(epoch), batch \(batch); try a lower learning rate"
                + (kept.map { ". The last good checkpoint is kept at \($0)" } ?? "")
        case let .interrupted(epoch, kept, completed):
            return "interrupted in epoch \(epoch)"
                + (kept.map { "; the checkpoint after epoch \(completed) is at \($0), and resuming continues it" }
                    ?? "; nothing was saved, as no epoch had finished")
        }
    }
}

/// Runs epochs of a model over data; saves a checkpoint after every epoch and writes metrics.
///
/// The trainer owns the optimisation: it makes one optimizer per parameter group from
/// `optimizer` (a `Learner`), steps them, clips and follows their schedules; the model only
/// computes losses and gradients. Hooks: `onStep` after every batch, `onEpoch` after every epoch.
public struct Trainer {
    public var epochs: Int
    public var batchSize: Int
    public var seed: UInt64
    /// Where the checkpoint goes (written after every epoch, atomically).
    public var checkpointPath: String?
    /// The optimizer each parameter group gets a fresh copy of, when training a bare model.
    public var optimizer: any Optimizer
    /// Entries the checkpoint's metadata carries besides the trainer's own (e.g. the settings
    /// that rebuild a `ModelKind`'s model from the file alone).
    public var checkpointMetadata: [String: String] = [:]
    /// Stops training when a held-out figure stops improving; nil: every epoch runs.
    public var earlyStopping: EarlyStopping?
    /// Set by a signal handler to stop at the next batch.
    public var shouldStop: () -> Bool = { false }
    /// Called after every batch.
    public var onStep: (StepRecord) -> Void = { _ in }
    /// Called after every epoch, once its checkpoint is written.
    public var onEpoch: (EpochRecord) -> Void = { _ in }

    public init(epochs: Int, batchSize: Int, seed: UInt64, checkpointPath: String?, optimizer: any Optimizer = Adam()) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
        self.checkpointPath = checkpointPath
        self.optimizer = optimizer
    }

    /// The generator for epoch `epoch`'s shuffling and noise: derived from the seed and the epoch
    /// alone, so that resuming after epoch e replays epochs e+1... exactly as an unbroken run.
    public static func generator(seed: UInt64, epoch: Int, purpose: UInt64 = 0) -> SeededGenerator {
        var mixer = SeededGenerator(
            seed: seed ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15) ^ (purpose &* 0xD1B5_4A32_D192_ED03))
        return SeededGenerator(seed: mixer.next())
    }

    /// Trains `model` with a fresh copy of `optimizer` per parameter group.
    @discardableResult
    public func train(_ model: any TrainableModel, data: DatasetSplits) throws -> [String] {
        try train(Learner(model, optimizer: optimizer), data: data)
    }

    /// Trains from `state` (epochs already done and their metrics lines) to `epochs`.
    /// Returns all metrics lines, one per epoch.
    @discardableResult
    public func train(_ learner: Learner, data: DatasetSplits, resumingFrom state: CheckpointState = CheckpointState())
        throws -> [String]
    {
        let model = learner.model
        let datasetName = data.train.name
        var lines = state.metricsLines
        guard state.completedEpochs < epochs else { return lines }
        for epoch in (state.completedEpochs + 1)...epochs {
            var random: SeededGenerator? = Trainer.generator(seed: seed, epoch: epoch)
            let batches = Batches(data.train, batchSize: batchSize, range: model.pixelRange, shuffledBy: &random)
            var noise = Trainer.generator(seed: seed, epoch: epoch, purpose: 1)
            model.beginEpoch(number: epoch)
            let start = DispatchTime.now().uptimeNanoseconds
            var seen = 0, lossSum = 0.0, weightedLossSum = 0.0
            for (index, batch) in batches.enumerated() {
                if shouldStop() {
                    throw TrainingError.interrupted(
                        epoch: epoch, keptCheckpoint: epoch > 1 ? checkpointPath : nil, completedEpochs: epoch - 1)
                }
                let loss = learner.step(batch, generator: &noise)
                guard loss.isFinite else {
                    throw TrainingError.diverged(
                        model: model.displayName,
                        epoch: epoch, batch: index + 1, loss: loss, keptCheckpoint: epoch > 1 ? checkpointPath : nil)
                }
                seen += batch.count
                lossSum += Double(loss)
                weightedLossSum += Double(loss) * Double(batch.count)
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let rate = Double(seen) / max(elapsed, 1e-9)
                // In Double: a huge epoch count must not overflow an Int here.
                let left =
                    (Double(batches.dataset.count - seen) + Double(epochs - epoch) * Double(batches.dataset.count))
                    / rate
                onStep(
                    StepRecord(
                        epoch: epoch, epochs: epochs, batch: index + 1, batches: batches.count, loss: loss,
                        runningLoss: lossSum / Double(index + 1), imagesPerSecond: rate, secondsLeft: left))
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            // From here to the next step, the model holds the averaged weights, if any: they are
            // what is evaluated, saved under the model's names, drawn and sampled.
            learner.weightAverage?.useAverage()
            var evaluation = Trainer.generator(seed: seed, epoch: epoch, purpose: 2)
            var trainingFigures = model.epochMetrics()
            if trainingFigures.isEmpty { trainingFigures = [(.trainLoss, weightedLossSum / Double(max(seen, 1)))] }
            var metrics: [(Metric, Double)] =
                [(.epoch, Double(epoch)), (.seconds, seconds)] + trainingFigures
                + model.evaluate(data.test, generator: &evaluation)
            var stopping = false
            if let earlyStopping {
                var validation = Trainer.generator(seed: seed, epoch: epoch, purpose: 3)
                let figures = model.evaluate(earlyStopping.validation, generator: &validation)
                guard let value = figures.first(where: { $0.0 == earlyStopping.figure })?.1 else {
                    preconditionFailure(
                        "early stopping watches '\(earlyStopping.figure)', which \(model.name)'s evaluation does not report"
                    )
                }
                metrics.append((earlyStopping.figure.onValidation, value))
                stopping = earlyStopping.shouldStop(after: epoch, value: value, learner: learner)
                if stopping { metrics.append((.bestEpoch, Double(earlyStopping.bestEpoch))) }
            }
            metrics.append((.imagesPerSecond, Double(seen) / max(seconds, 1e-9)))
            let line = jsonObject(
                [("model", jsonQuoted(model.name)), ("dataset", jsonQuoted(datasetName))]
                    + metrics.map {
                        ($0.0.name, $0.0 == .epoch || $0.0 == .bestEpoch ? String(Int($0.1)) : jsonNumber($0.1))
                    }
                    + [("loss_reduction", jsonQuoted(model.lossDescription))])
            lines.append(line)
            if let path = checkpointPath {
                try CheckpointState(completedEpochs: epoch, metricsLines: lines)
                    .save(learner, to: path, seed: seed, datasetName: datasetName, extraMetadata: checkpointMetadata)
            }
            // The record holds each figure as the line writes it (six significant digits), so a
            // page drawn after training and one drawn from the cached checkpoint are the same.
            let written = metrics.map { ($0.0, Double(jsonNumber($0.1)) ?? .nan) }
            onEpoch(EpochRecord(epoch: epoch, epochs: epochs, metrics: written, line: line))
            if stopping { break }
        }
        return lines
    }
}
