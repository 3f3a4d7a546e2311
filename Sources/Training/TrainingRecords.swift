import Foundation
import Models

/// A step's progress: what the trainer tells `onStep` after every batch.
public struct StepRecord {
    /// The epoch (from 1) and the number of epochs asked.
    public let epoch: Int, epochs: Int
    /// The batch (from 1) and the epoch's number of batches.
    public let batch: Int, batches: Int
    /// The first phase's loss on this batch.
    public let loss: Float
    /// The mean of the epoch's batch losses so far.
    public let runningLoss: Double
    public let imagesPerSecond: Double
    /// The time the remaining epochs will take at this rate.
    public let secondsLeft: Double
}

/// An epoch's figures: what the trainer tells `onEpoch`, and writes as one metrics line.
public struct EpochRecord {
    /// The epoch (from 1) and the number of epochs asked.
    public let epoch: Int, epochs: Int
    /// The epoch's figures, in the metrics line's order: `epoch`, `seconds`, the model's
    /// training figures, its test figures, `validation_…` with early stopping, and last
    /// `images_per_second`.
    public let metrics: [(Metric, Double)]
    /// The metrics line (JSON): the model and data set, the figures, the loss's reduction.
    public let line: String

    public init(epoch: Int, epochs: Int, metrics: [(Metric, Double)], line: String) {
        (self.epoch, self.epochs, self.metrics, self.line) = (epoch, epochs, metrics, line)
    }

    /// The record of a metrics line read back from a checkpoint (every number in it is a
    /// figure); nil for a line that is not a JSON object with an `epoch`.
    public init?(line: String, epochs: Int) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let epoch = (object["epoch"] as? NSNumber)?.intValue
        else { return nil }
        // JSONSerialization keeps no key order: the figures are put in the trainer's order.
        let order = EpochRecord.lineOrder(line)
        let figures = object.compactMap { key, value in (value as? NSNumber).map { (Metric(key), $0.doubleValue) } }
        self.init(
            epoch: epoch, epochs: epochs,
            metrics: figures.sorted { order[$0.0.name, default: .max] < order[$1.0.name, default: .max] },
            line: line)
    }

    /// Each key's position in `line`.
    private static func lineOrder(_ line: String) -> [String: Int] {
        var order: [String: Int] = [:]
        for (index, part) in line.components(separatedBy: "\":").enumerated() {
            if let quote = part.lastIndex(of: "\"") {
                order[String(part[part.index(after: quote)...]), default: index] = index
            }
        }
        return order
    }

    /// The figure `metric`, if the epoch reported it.
    public subscript(metric: Metric) -> Double? { metrics.first { $0.0 == metric }?.1 }
}
