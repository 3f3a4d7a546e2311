import Datasets
import Foundation
import Models
import NN

// How good a set of generated images is, in numbers, judged by a classifier trained on the real
// data (`Judge`): the Fréchet distance and precision/recall between the judge's features of the
// samples and of the test images, the classes the samples fall into, and how close each sample
// lies to its nearest training image in pixel space (a model that copies its training images
// shows distances below those of the test images).

/// The judge's predicted-class histogram of a set of images.
public struct ClassCoverage: Sendable {
    /// Images per predicted class.
    public let counts: [Int]

    /// The coverage of images already counted per class.
    public init(counts: [Int]) { self.counts = counts }

    public init(predictions: [Int], classCount: Int) {
        var counts = [Int](repeating: 0, count: classCount)
        for p in predictions where p >= 0 && p < classCount { counts[p] += 1 }
        self.counts = counts
    }

    /// −Σ p ln p over the classes (ln K when the classes are equally full, 0 for one class).
    public var entropy: Double {
        let total = Double(max(counts.reduce(0, +), 1))
        return counts.reduce(0.0) { sum, c in c == 0 ? sum : sum - Double(c) / total * log(Double(c) / total) }
    }

    /// The classes holding at least 2% of the images.
    public var classesHeld: Int {
        let total = counts.reduce(0, +)
        return counts.filter { Double($0) >= 0.02 * Double(total) && $0 > 0 }.count
    }
}

/// The numbers `gen eval` reports for one set of samples.
public struct SampleEvaluation: Sendable {
    /// Samples judged.
    public var count = 0
    /// Fréchet distance between the judge's features of the samples and of the test images.
    public var frechetDistance = 0.0
    /// k-NN precision and recall (k = 3) in the judge's feature space (Kynkäänniemi et al. 2019):
    /// samples that look real, and real images the samples' balls reach. Recall rewards scattered
    /// samples, whose balls are large.
    public var precision = 0.0, recall = 0.0
    /// Density and coverage (k = 5, Naeem et al. 2020), only the real images' balls counting:
    /// density about 1 for samples distributed like the test images; coverage the share of test
    /// images with a sample near them (JSON keys `density`, `coverage`).
    public var density = 0.0, dataCoverage = 0.0
    /// The judge's classes of the samples.
    public var coverage = ClassCoverage(predictions: [], classCount: 0)
    /// Median distance (pixels in [0, 1], Euclidean) from a sample to its nearest training image,
    /// and the same for test images: a sample median well below the test median means copying.
    public var sampleNearestMedian = 0.0, testNearestMedian = 0.0
    /// The samples closest to a training image: (sample, training image, distance), closest first.
    public var closestPairs: [(sample: Int, training: Int, distance: Double)] = []

    /// The figures by name, for the terminal table and the JSON line.
    public var entries: [(String, Double)] {
        [
            ("count", Double(count)), ("fd", frechetDistance), ("precision", precision), ("recall", recall),
            ("density", density), ("coverage", dataCoverage),
            ("classes", Double(coverage.classesHeld)), ("entropy", coverage.entropy),
            ("nearest_train_distance_samples", sampleNearestMedian), ("nearest_train_distance_test", testNearestMedian),
        ]
    }
}

/// A classifier of the real data whose penultimate features are the yardstick, with the test
/// set's features computed once.
public struct Judge {
    public let classifier: Classifier
    /// The test images' features (N, F) and their statistics.
    public let testFeatures: Tensor
    let testStatistics: CovarianceAccumulator
    /// The test images' median distance to their nearest training image, by what it was
    /// measured over: it does not depend on the model judged, and costs as much as the
    /// samples' own check (10,000 × 60,000 distances), so a judge scoring several models
    /// measures it once.
    private let testNearestMedians = KeptValues<Double>()
    /// The test features' squared radii to their 3rd and 5th nearest neighbours (the balls of
    /// precision and of density), worked out on the first evaluation and kept: every evaluation
    /// measures against the same test features.
    private let testBalls = KeptValues<RealBalls>()

    /// The judge `classifier`, measuring against `test`.
    public init(classifier: Classifier, test: Dataset) {
        self.classifier = classifier
        testFeatures = Judge.features(classifier, of: test)
        testStatistics = CovarianceAccumulator(dimension: testFeatures.shape.countPerItem)
        testStatistics.add(testFeatures)
    }

    /// The judge's features of `images` (N, C·H·W in [0, 1]), a chunk at a time.
    static func features(_ classifier: Classifier, of images: Tensor) -> Tensor {
        let n = images.shape[0]
        var rows: [Float] = []
        var width = 0
        var start = 0
        while start < n {
            let end = min(start + 256, n)
            let f = classifier.features(images.rows(start..<end))
            width = f.shape.countPerItem
            rows += f.buffer
            start = end
        }
        return Tensor(shape: [n, width], values: rows)
    }

    /// The judge's features of `images` (N, C·H·W, pixels in [0, 1]): the space its scores live in.
    public func features(of images: Tensor) -> Tensor { Judge.features(classifier, of: images) }

    /// The judge's features of every image of `dataset`, a chunk at a time.
    public func features(of dataset: Dataset) -> Tensor { Judge.features(classifier, of: dataset) }

    /// `classifier`'s features of every image of `dataset`, its bytes converted 1,024 images at a
    /// time (whole multiples of the 256 the features are computed by, so the same numbers).
    static func features(_ classifier: Classifier, of dataset: Dataset) -> Tensor {
        var rows: [Float] = [], width = 0
        dataset.forEachChunk(of: 1_024, range: .unit) { x in
            let f = Judge.features(classifier, of: x)
            width = f.shape.countPerItem
            rows += f.buffer
        }
        return Tensor(shape: [dataset.count, width], values: rows)
    }

    /// Judges `samples` (N, C·H·W, pixels in [0, 1]) against the test set, and their nearness
    /// to the `training` images in pixel space against the test images' (`memorisationCount`
    /// test images, all by default; 0 skips the memorisation check).
    public func evaluate(_ samples: Tensor, training: Dataset, test: Dataset, memorisationCount: Int? = nil)
        -> SampleEvaluation
    {
        var e = SampleEvaluation()
        e.count = samples.shape[0]
        let f = Judge.features(classifier, of: samples)
        let statistics = CovarianceAccumulator(dimension: f.shape.countPerItem)
        statistics.add(f)
        e.frechetDistance = TensorCore.frechetDistance(statistics, testStatistics)
        let balls = testBalls.value(for: "") { realBalls(testFeatures, precisionK: 3, densityK: 5) }
        let scores = neighbourScores(real: testFeatures, generated: f, balls: balls, generatedK: 3)
        (e.precision, e.recall, e.density, e.dataCoverage) = (
            scores.precision, scores.recall, scores.density, scores.coverage
        )
        // From the features just computed: the whole network again, on all samples at once, would cost a second pass and its memory.
        e.coverage = ClassCoverage(
            predictions: classifier.predict(features: f), classCount: classifier.classNames.count)
        guard memorisationCount != 0 else { return e }
        let nearest = nearestImages(samples, in: training)
        let sorted = nearest.map(\.distance).sorted()
        e.sampleNearestMedian = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        let testCount = min(memorisationCount ?? test.count, test.count)
        e.testNearestMedian = testNearestMedians.value(
            for: "\(test.name) \(testCount) in \(training.name) \(training.count)"
        ) {
            let testNearest = nearestImages(test.images(Array(0..<testCount)), in: training).map(\.distance).sorted()
            return testNearest.isEmpty ? 0 : testNearest[testNearest.count / 2]
        }
        e.closestPairs = nearest.enumerated().sorted { $0.element.distance < $1.element.distance }.prefix(8)
            .map { (sample: $0.offset, training: $0.element.index, distance: $0.element.distance) }
        return e
    }
}

/// Values worked out once per key and kept (a class, so that a `Judge` value shares it).
final class KeptValues<Value>: @unchecked Sendable {
    private var values: [String: Value] = [:]
    private let lock = NSLock()

    func value(for key: String, _ compute: () -> Value) -> Value {
        if let known = lock.withLock({ values[key] }) { return known }
        let value = compute()
        lock.withLock { values[key] = value }
        return value
    }
}

/// For each row of `images`, its nearest image of `dataset` (Euclidean, pixels in [0, 1]),
/// through blocks of squared distances computed by the BLAS; the data set's bytes are converted
/// a block at a time.
public func nearestImages(_ images: Tensor, in dataset: Dataset) -> [(index: Int, distance: Double)] {
    let n = images.shape[0], size = images.shape.countPerItem
    precondition(size == dataset.imageSize, "images of \(size) values against a data set of \(dataset.imageSize)")
    var best = [(index: Int, distance: Float)](repeating: (-1, .infinity), count: n)
    let block = 2048
    let reference = Tensor(zeros: [block, size])
    var distances = [Float](repeating: 0, count: min(512, n) * block)
    var start = 0
    while start < dataset.count {
        let end = min(start + block, dataset.count)
        dataset.fill(reference, indices: Array(start..<end)[...], range: .unit)
        let norms = rowNorms(reference)
        var row = 0
        while row < n {
            let rows = row..<min(row + 512, n)
            squaredDistances(images, rows: rows, reference, bNorms: norms, into: &distances)
            let width = end - start
            for (i, r) in rows.enumerated() {
                for c in 0..<width where distances[i * width + c] < best[r].distance {
                    best[r] = (start + c, distances[i * width + c])
                }
            }
            row = rows.upperBound
        }
        start = end
    }
    return best.map { ($0.index, Double($0.distance).squareRoot()) }
}
