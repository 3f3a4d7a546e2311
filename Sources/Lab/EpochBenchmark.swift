import Datasets
import Foundation
import Models
import NN

/// How fast a model trains against the floor its matrix products set: the epoch's products,
/// each timed on its own at its own shape, are the least time an epoch can take on this
/// machine with this BLAS. `gen bench` prints these.
public struct EpochBenchmark {
    /// One model's figures.
    public struct Result: Sendable {
        public var model: String
        /// Wall seconds of one epoch's training steps (evaluation excluded), the mean of the measured epochs.
        public var secondsPerEpoch: Double
        /// The fastest measured epoch: set against the floor, a best time against a best time,
        /// because these shared machines drift by 10-20% between one minute and the next.
        public var fastestEpochSeconds: Double
        public var imagesPerSecond: Double
        /// The epoch's matrix-product operations over its seconds.
        public var gflops: Double
        /// The share of the epoch spent inside matrix products.
        public var gemmShare: Double
        /// The epoch's products, each at the best speed the BLAS reaches on its shape when timed alone.
        public var gemmFloorSeconds: Double
        /// fastestEpochSeconds / gemmFloorSeconds: 1 means nothing but products.
        public var floorRatio: Double { fastestEpochSeconds / gemmFloorSeconds }
        /// The process's peak resident memory so far, in MB.
        public var peakMB: Double

        /// One JSON object with the keys `gen bench --json` promises.
        public var json: String {
            jsonObject([("model", jsonQuoted(model)), ("seconds_per_epoch", jsonNumber(secondsPerEpoch)),
                        ("fastest_epoch_seconds", jsonNumber(fastestEpochSeconds)),
                        ("images_per_second", jsonNumber(imagesPerSecond)), ("gflops", jsonNumber(gflops)),
                        ("gemm_share", jsonNumber(gemmShare)), ("gemm_floor_seconds", jsonNumber(gemmFloorSeconds)),
                        ("floor_ratio", jsonNumber(floorRatio)), ("peak_mb", jsonNumber(peakMB))])
        }
    }

    public let data: DatasetSplits
    public var batchSize = 128
    public var seed: UInt64 = 0

    public init(data: DatasetSplits) { self.data = data }

    /// Trains `model` for a warm-up of a few batches, then `epochs` measured epochs.
    public func measure(_ model: any TrainableModel, epochs: Int) -> Result {
        func epoch(_ number: Int, limit: Int = .max) -> Double {
            var random: SeededGenerator? = Trainer.generator(seed: seed, epoch: number)
            var noise = Trainer.generator(seed: seed, epoch: number, purpose: 1)
            let start = DispatchTime.now().uptimeNanoseconds
            model.beginEpoch()
            for batch in Batches(data.train, batchSize: batchSize, range: model.pixelRange, shuffledBy: &random).prefix(limit) {
                _ = model.trainStep(batch, generator: &noise)
            }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        _ = epoch(0, limit: 10)   // sizes every buffer
        let log = ProductLog.shared
        log.reset()
        log.isRecording = true
        let timings = (1...max(epochs, 1)).map { epoch($0) }
        log.isRecording = false
        let perEpoch = 1 / Double(timings.count)
        let seconds = timings.reduce(0, +) * perEpoch
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Result(model: model.name, secondsPerEpoch: seconds, fastestEpochSeconds: timings.min() ?? seconds, imagesPerSecond: Double(data.train.count) / seconds,
                      gflops: log.flops * perEpoch / seconds / 1e9, gemmShare: log.seconds * perEpoch / seconds,
                      gemmFloorSeconds: EpochBenchmark.floor(of: log.counts) * perEpoch, peakMB: Double(usage.ru_maxrss) / 1024)
    }

    /// Seconds the products in `counts` take when each shape is timed on its own: the fastest
    /// of five timings of enough repeats to last about 20 ms (a floor is the least time).
    public static func floor(of counts: [ProductLog.Shape: Int]) -> Double {
        var generator = SeededGenerator(seed: 7)
        return counts.reduce(0.0) { total, entry in
            let s = entry.key
            let a = Tensor.normal(Shape(s.m * s.k), using: &generator), b = Tensor.normal(Shape(s.k * s.n), using: &generator)
            let c = Tensor(zeros: Shape(s.m * s.n))
            func run() { multiply(a.data, transposeA: s.transposeA, b.data, transposeB: s.transposeB, into: c.data, m: s.m, n: s.n, k: s.k) }
            run()
            let repeats = max(1, Int(0.02 / max(time(run), 1e-7)))
            let timings = (0..<5).map { _ in time { for _ in 0..<repeats { run() } } / Double(repeats) }
            return total + Double(entry.value) * (timings.min() ?? 0)
        }
    }

    static func time(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
