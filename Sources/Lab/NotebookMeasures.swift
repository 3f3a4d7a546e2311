import Datasets
import Evaluation
import Foundation
import Models
import NN
import TensorCore

/// The judge's scores of a set of images, each over `Notebook.scoreDraws` draws of
/// `count` images: what a score table shows and a verdict quotes, mean ± standard deviation.
public struct SampleScores: Codable, Sendable {
    public var count: Int
    public var frechetDistance, precision, recall, density, coverage, classesHeld, entropy: Spread
    /// Images per judge's class in the first draw (the draw the pages' sample grids show).
    public var classCounts: [Int]

    init(_ evaluations: [SampleEvaluation]) {
        count = evaluations[0].count
        let spread = { (figure: (SampleEvaluation) -> Double) in Spread(evaluations.map(figure)) }
        frechetDistance = spread(\.frechetDistance)
        (precision, recall) = (spread(\.precision), spread(\.recall))
        (density, coverage) = (spread(\.density), spread(\.dataCoverage))
        classesHeld = spread { Double($0.coverage.classesHeld) }
        entropy = spread(\.coverage.entropy)
        classCounts = evaluations[0].coverage.counts
    }
}

/// A sampler's scores and the seconds it took per image (`Notebook.timedScores`), with the
/// machine and day they were measured on: a warm cache shows them again, not a new timing.
public struct TimedScores: Codable, Sendable {
    public var scores: SampleScores
    public var secondsPerImage: Spread
    /// "AMD EPYC 9B14, OpenBLAS's Cooperlake kernels, 2026-12-03".
    public var measuredOn: String
}

/// What a run of the notebook measures besides training: kept between runs, so that a page is
/// redrawn from a warm cache in seconds, and shared between pages, so that the same model scores
/// the same on every page.
extension Notebook {
    /// Whose measurement a kept value is: this script's (keyed by the script's text up to the end
    /// of the section measuring it, so that an edited section measures again), or any page's
    /// (keyed by the models and data alone).
    public enum MeasureScope { case script, shared }

    /// `compute()`'s value, kept under `key` in gen's cache folder (`measures/`) and read back on
    /// the next run with the same data, seed, thread count and `--quick`; `--retrain` measures
    /// again. The value is written whole or not at all.
    public func measured<T: Codable>(_ key: String, scope: MeasureScope = .script, _ compute: () throws -> T) throws
        -> T
    {
        let data = try self.data()
        // Bumped when a measurement's code changes meaning: every kept value is measured again.
        let version = 2
        let owner = scope == .script ? "|\(name)|source=\(String(fnv1a(String(measuredSource)), radix: 16))" : ""
        let full =
            "v\(version)|\(key)\(owner)|train=\(String(data.train.fingerprint, radix: 16))|test=\(String(data.test.fingerprint, radix: 16))"
            + "|seed=\(request.seed)|threads=\(request.threads)|quick=\(quick)"
        let folder = try ModelRun(request).cacheFolder() + "/measures"
        let path = "\(folder)/\(String(fnv1a(full), radix: 16)).json"
        if !request.retrain, let bytes = FileManager.default.contents(atPath: path),
            let kept = try? JSONDecoder().decode(Kept<T>.self, from: bytes), kept.key == full
        {
            return kept.value
        }
        let value = try compute()
        try createFolder(folder)
        try writeAtomically(try JSONEncoder.sorted.encode(Kept(key: full, value: value)), to: path)
        return value
    }

    private struct Kept<T: Codable>: Codable {
        var key: String
        var value: T
    }

    /// How many draws every score is measured over, and how many images a draw holds.
    public static let scoreDraws = 3
    public var scoredCount: Int { size(5_000, quick: 500) }

    /// The judge's scores of `model`'s samples: `scoreDraws` draws of `scoredCount` samples, the
    /// first from the seed the pages' sample grids use. Kept per trained model, so every page
    /// that scores this model shows the same numbers.
    public func scores(_ model: any GenerativeModel, _ result: TrainingResult) throws -> SampleScores {
        let count = scoredCount
        return try drawnScores("scores|\(result.identity)|\(count)") { random in
            model.sample(count: count, generator: &random)
        }
    }

    /// The judge's scores of `scoreDraws` sets of images, the set `draw` makes from its own
    /// generator (seeded from the request's seed and the draw's number), kept under `key`.
    private func drawnScores(_ key: String, _ draw: (inout SeededGenerator) -> Tensor) throws -> SampleScores {
        try measured(key, scope: .shared) { try judged(draws: Self.scoreDraws, draw).scores }
    }

    /// The judge's evaluations of `draws` sets of images, set `number` made by `draw` from a
    /// generator seeded with the request's seed plus `number`, and the seconds each set took to
    /// make, per image.
    private func judged(draws: Int, _ draw: (inout SeededGenerator) -> Tensor) throws
        -> (scores: SampleScores, secondsPerImage: [Double])
    {
        let judge = try self.judge(), data = try self.data()
        var seconds: [Double] = []
        let evaluations = (0..<draws).map { number in
            var random = SeededGenerator(seed: request.seed &+ UInt64(number))
            let start = DispatchTime.now().uptimeNanoseconds
            let images = draw(&random)
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(max(images.shape[0], 1)))
            return judge.evaluate(images, training: data.train, test: data.test, memorisationCount: 0)
        }
        return (SampleScores(evaluations), seconds)
    }

    /// The judge's scores of `draws` sets of images `draw` makes (each from its own generator,
    /// seeded as `scores` seeds a model's draws), with the seconds each set took to make, per
    /// image: for images a model's `sample` does not make (another sampler, say). Kept under
    /// `key` for this page.
    public func timedScores(_ key: String, draws: Int = scoreDraws, _ draw: (inout SeededGenerator) -> Tensor) throws
        -> TimedScores
    {
        try measured(key) {
            let (scores, seconds) = try judged(draws: draws, draw)
            let day = ISO8601DateFormatter.string(
                from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
            return TimedScores(
                scores: scores, secondsPerImage: Spread(seconds), measuredOn: "\(Machine.speedDescription), \(day)")
        }
    }

    /// The same scores for real images: `count` (default `scoredCount`) training images, a new
    /// random choice each draw, against the test images. The best a model can hope for: the
    /// scale every score table is read against (at the count its rows were scored at: the
    /// Fréchet distance of fewer images is larger).
    public func realScores(count requested: Int? = nil) throws -> SampleScores {
        let train = try data().train, count = min(requested ?? scoredCount, train.count)
        return try drawnScores("real-scores|\(count)") { random in
            var indices = Array(train.labels.indices)
            random.shuffle(&indices)
            return train.images(Array(indices.prefix(count)))
        }
    }

    /// The judge's accuracy on the test images: how far its features (and classes) can be trusted.
    public func judgeAccuracy() throws -> Double {
        let judge = try self.judge(), test = try data().test
        return try measured("judge-accuracy", scope: .shared) {
            var unused = SeededGenerator(seed: request.seed)
            return judge.classifier.evaluate(test, generator: &unused).first { $0.0 == .testAccuracy }?.1 ?? .nan
        }
    }

    /// A table of the judge's scores, one row per model, closed by the real-vs-real row, with
    /// `extra` columns before the scores; its caption says what each score rewards, the draws,
    /// and the judge's own test accuracy.
    /// Rows scored at another count than `scoredCount` (`timedScores`) give it as `count`, and
    /// their draws as `draws`: the real row is scored at that count.
    public func scoreTable(
        _ rows: [(name: String, extra: [String], scores: SampleScores)], extraHeader: [String] = [],
        caption: String = "", count: Int? = nil, draws: Int = scoreDraws
    ) throws {
        let real = try realScores(count: count), accuracy = try judgeAccuracy()
        func cells(_ s: SampleScores) -> [String] {
            [
                s.frechetDistance.text(1), s.precision.text(2), s.recall.text(2), s.density.text(2),
                s.coverage.text(2), fixed(s.classesHeld.mean, 1),
            ]
        }
        table(
            ["model"] + extraHeader + [
                "Fréchet distance ↓", "precision", "recall", "density", "coverage", "classes held",
            ],
            rows.map { [$0.name] + $0.extra + cells($0.scores) }
                + [["real images (training vs test)"] + extraHeader.map { _ in "" } + cells(real)],
            caption: (caption.isEmpty ? "" : caption + " ")
                + """
                Mean ± standard deviation over \(draws) draws of \(count ?? scoredCount) images\
                \(draws == Self.scoreDraws ? "" : " (the real row over \(Self.scoreDraws))"), in the features of \
                the judge (a convolutional classifier, \(fixed(100 * accuracy, 1))% accurate on the test images). \
                Fréchet distance: how far the two feature distributions are (0 for identical). Precision and recall \
                (k-NN, k = 3, Kynkäänniemi et al. 2019): the share of samples inside the real images' neighbourhoods, \
                and of real images inside the samples'; scattered samples inflate recall. Density and coverage (Naeem \
                et al. 2020, k = 5) were made for that failure: density counts how many real neighbourhoods hold a \
                sample (about 1 for real images, more when samples crowd together), coverage the share of real \
                images with a sample in their neighbourhood. Classes held: the judge's classes with 2% of the images \
                or more. The last row scores real training images the same way: the best a model can reach.
                """)
    }

    /// The training images split in two by a seeded shuffle: `count` held out for validation
    /// (early stopping watches them; no model sees them in training), the rest to fit on, with
    /// the test images unchanged.
    public func validationSplit(_ count: Int) throws -> (fit: DatasetSplits, validation: Dataset) {
        let data = try self.data()
        var random = SeededGenerator(seed: request.seed ^ 0x7A11_DA7E)
        var order = Array(data.train.labels.indices)
        random.shuffle(&order)
        let held = min(count, data.train.count / 5)
        let validation = data.train.subset(Array(order.suffix(held)), name: "\(data.train.name)-validation-\(held)")
        let fit = data.train.subset(Array(order.dropLast(held)), name: "\(data.train.name)-fit-\(held)")
        return (DatasetSplits(train: fit, test: data.test), validation)
    }
}
