import Datasets
import Foundation
import Models
import NN

/// How fast a model trains against the floor its matrix products set: the epoch's products
/// (OpenBLAS's, and oneDNN's convolutions, products in layouts of its own), each timed on its
/// own at its own shape, are the least time an epoch can take on this machine with these
/// libraries. `gen bench` prints these.
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
        /// The epoch's matrix-product operations over its seconds: OpenBLAS's products and
        /// oneDNN's convolutions (`kernels` says which layer ran where).
        public var gflops: Double
        /// The share of the epoch spent inside matrix products, OpenBLAS's and oneDNN's.
        public var productShare: Double
        /// The share of the epoch spent in optimizer steps: a pass over every parameter, its
        /// gradient and its moments, which streams memory the floor does not count.
        public var optimizerShare: Double
        /// The epoch's products, each at the best speed its library reaches on its shape when
        /// timed alone: OpenBLAS's products and oneDNN's convolution passes.
        public var floorSeconds: Double
        /// The part of the floor in oneDNN's convolutions.
        public var oneDNNFloorSeconds: Double
        /// fastestEpochSeconds / floorSeconds: 1 means nothing but products.
        public var floorRatio: Double { fastestEpochSeconds / floorSeconds }
        /// The peak resident memory while the measured epochs ran, in MB (2²⁰ bytes): the
        /// training's, not the floor timings' operands or an earlier model's (`ResidentMemory`).
        public var peakMB: Double
        /// What each layer's work ran on: "matrix products: OpenBLAS Zen", then one entry per
        /// convolution (and pass, on oneDNN), e.g. "Conv2D(64 → 128), forward: oneDNN jit:avx2".
        public var kernels: [String] = []

        /// The kernel families in `kernels`, each once: "OpenBLAS Zen; oneDNN jit:avx2".
        public var kernelSummary: String {
            var families: [String] = []
            for entry in kernels {
                let family = String(entry.split(separator: ": ", maxSplits: 1).last ?? "")
                if !families.contains(family) { families.append(family) }
            }
            return families.joined(separator: "; ")
        }

        /// One JSON object with the keys `gen bench --json` promises. `gemm_share` and
        /// `gemm_floor_seconds` keep the names they had when OpenBLAS made every product: the
        /// product share and the floor, oneDNN's convolutions in them.
        public var json: String {
            jsonObject([
                ("model", jsonQuoted(model)), ("seconds_per_epoch", jsonNumber(secondsPerEpoch)),
                ("fastest_epoch_seconds", jsonNumber(fastestEpochSeconds)),
                ("images_per_second", jsonNumber(imagesPerSecond)), ("gflops", jsonNumber(gflops)),
                ("gemm_share", jsonNumber(productShare)), ("optimizer_share", jsonNumber(optimizerShare)),
                ("gemm_floor_seconds", jsonNumber(floorSeconds)),
                ("onednn_floor_seconds", jsonNumber(oneDNNFloorSeconds)),
                ("floor_ratio", jsonNumber(floorRatio)), ("peak_mb", jsonNumber(peakMB)),
                ("blas_kernels", jsonQuoted(BLAS.kernels)),
                ("kernels", "[" + kernels.map(jsonQuoted).joined(separator: ",") + "]"),
            ])
        }
    }

    public let data: DatasetSplits
    public var batchSize = 128
    public var seed: UInt64 = 0

    public init(data: DatasetSplits) { self.data = data }

    /// Trains `model` for a warm-up of a few batches, then `epochs` measured epochs. The floor's
    /// timings are taken after the warm-up and again after every epoch, and each shape keeps its
    /// best: the fastest epoch and the floor are then both the best of the same stretch of time.
    /// (Timed once, in one slow minute, the floor came out above an epoch of a quicker one: a
    /// ratio of 0.94 on this machine.)
    public func measure(_ learner: Learner, epochs: Int) -> Result {
        let model = learner.model
        func epoch(_ number: Int, limit: Int = .max) -> Double {
            var random: SeededGenerator? = Trainer.generator(seed: seed, epoch: number)
            var noise = Trainer.generator(seed: seed, epoch: number, purpose: 1)
            let start = DispatchTime.now().uptimeNanoseconds
            model.beginEpoch()
            for batch in Batches(data.train, batchSize: batchSize, range: model.pixelRange, shuffledBy: &random).prefix(
                limit)
            {
                _ = learner.step(batch, generator: &noise)
            }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        let log = ProductLog.shared, convolutions = ConvolutionLog.shared, optimizerLog = OptimizerLog.shared
        var floor = FloorTimings()
        func recording(_ on: Bool) { (log.isRecording, convolutions.isRecording) = (on, on) }
        _ = KernelLog.drain()  // the kernels of models measured before this one
        log.reset()
        convolutions.reset()
        recording(true)
        _ = epoch(0, limit: 10)  // sizes every buffer, and shows the shapes a step multiplies
        recording(false)
        floor.time(log.counts.keys, convolutions.counts.keys)
        log.reset()
        convolutions.reset()
        optimizerLog.reset()  // the warm-up's steps were timed too
        var timings: [Double] = [], peak = 0.0
        for number in 1...max(epochs, 1) {
            ResidentMemory.resetPeak()
            recording(true)
            timings.append(epoch(number))
            recording(false)
            peak = max(peak, ResidentMemory.peakMB())
            // The epoch's last, smaller batch brings shapes of its own.
            floor.time(log.counts.keys, convolutions.counts.keys)
        }
        let perEpoch = 1 / Double(timings.count), convolutionFloor = floor.seconds(for: convolutions.counts)
        let seconds = timings.reduce(0, +) * perEpoch
        return Result(
            model: model.name, secondsPerEpoch: seconds, fastestEpochSeconds: timings.min() ?? seconds,
            imagesPerSecond: Double(data.train.count) / seconds,
            gflops: (log.flops + convolutions.flops) * perEpoch / seconds / 1e9,
            productShare: (log.seconds + convolutions.seconds) * perEpoch / seconds,
            optimizerShare: optimizerLog.seconds * perEpoch / seconds,
            floorSeconds: (floor.seconds(for: log.counts) + convolutionFloor) * perEpoch,
            oneDNNFloorSeconds: convolutionFloor * perEpoch,
            peakMB: peak,
            kernels: ["matrix products: OpenBLAS \(BLAS.kernels)"] + KernelLog.drain())
    }

    /// The best time seen for each product shape and each convolution call, over as many rounds
    /// of timings as are taken.
    struct FloorTimings {
        private var best: [ProductLog.Shape: Double] = [:]
        private var bestCalls: [ConvolutionLog.Call: Double] = [:]
        private var generator = SeededGenerator(seed: 7)

        /// Times each product shape and each convolution call alone.
        mutating func time(_ shapes: some Sequence<ProductLog.Shape>, _ calls: some Sequence<ConvolutionLog.Call>) {
            for call in calls {
                bestCalls[call] = min(bestCalls[call] ?? .infinity, Self.fastest(ConvolutionLog.runner(for: call)))
            }
            for s in shapes {
                let a = Tensor.normal(Shape(s.m * s.k), using: &generator),
                    b = Tensor.normal(Shape(s.k * s.n), using: &generator)
                let c = Tensor(zeros: Shape(s.m * s.n))
                // With the epoch's beta: an accumulating product skips the clearing of C.
                func run() {
                    multiply(
                        a.data, transposeA: s.transposeA, b.data, transposeB: s.transposeB, into: c.data, m: s.m,
                        n: s.n, k: s.k,
                        beta: s.accumulates ? 1 : 0)
                }
                best[s] = min(best[s] ?? .infinity, Self.fastest(run))
            }
        }

        /// The fastest of five timings of enough repeats of `run` to last about 20 ms, after a first run.
        private static func fastest(_ run: () -> Void) -> Double {
            run()
            let repeats = max(1, Int(0.02 / max(EpochBenchmark.time(run), 1e-7)))
            return (0..<5).map { _ in EpochBenchmark.time { for _ in 0..<repeats { run() } } / Double(repeats) }.min()
                ?? 0
        }

        /// Σ count × the shape's best time.
        func seconds(for counts: [ProductLog.Shape: Int]) -> Double {
            counts.reduce(0.0) { $0 + Double($1.value) * (best[$1.key] ?? 0) }
        }

        /// Σ count × the call's best time.
        func seconds(for counts: [ConvolutionLog.Call: Int]) -> Double {
            counts.reduce(0.0) { $0 + Double($1.value) * (bestCalls[$1.key] ?? 0) }
        }
    }

    static func time(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
