import Foundation
import Testing
@testable import Datasets
@testable import Evaluation
@testable import Models
@testable import Training
@testable import NN

@Suite("Judging samples: coverage, the judge's distances, memorisation")
struct SampleQualityTests {
    @Test("class coverage: entropy ln K when even, 0 for one class; classes under 2% are not held")
    func coverage() {
        let even = ClassCoverage(predictions: Array(0..<1000).map { $0 % 10 }, classCount: 10)
        #expect(abs(even.entropy - log(10)) < 1e-12 && even.classesHeld == 10)
        let one = ClassCoverage(predictions: [Int](repeating: 3, count: 50), classCount: 10)
        #expect(one.entropy == 0 && one.classesHeld == 1 && one.counts[3] == 50)
        let missing = ClassCoverage(
            predictions: [Int](repeating: 0, count: 990) + [Int](repeating: 1, count: 10), classCount: 10)
        #expect(missing.classesHeld == 1, "1% of the images does not hold a class")
    }

    @Test("a Gaussian mixture's draws hold every mode; one mode's draws hold one; points off the ring hold none")
    func modeCoverage() {
        let ring = GaussianMixture.ring(modes: 8, radius: 2, standardDeviation: 0.05)
        var g = SeededGenerator(seed: 1)
        let all = ModeCoverage(samples: ring.sample(2_500, generator: &g), mixture: ring)
        #expect(all.modesHeld == 8)
        // Within 3σ in 2-D: P(χ²₂ ≤ 9) = 1 − e^(−4.5) ≈ 98.9%.
        #expect(abs(all.highQualityShare - 0.989) < 0.01)
        let one = GaussianMixture(centres: [ring.centres[3]], standardDeviation: 0.05)
        let collapsed = ModeCoverage(samples: one.sample(2_500, generator: &g), mixture: ring)
        #expect(collapsed.modesHeld == 1 && collapsed.counts[3] > 2_400)
        let centre = ModeCoverage(samples: Tensor(zeros: [100, 2]), mixture: ring)
        #expect(centre.modesHeld == 0 && centre.highQualityShare == 0)
        // The mixture's density integrates to 1 (a 1-D pair, on a fine grid).
        let line = GaussianMixture(centres: [[-1.5], [1.5]], standardDeviation: 0.5)
        let integral = stride(from: -5.0, to: 5.0, by: 0.001).reduce(0.0) { $0 + line.density([$1]) * 0.001 }
        #expect(abs(integral - 1) < 1e-6)
    }

    @Test(
        "a histogram's density: total variation 0 to its own densities, near 0 to the density it was drawn from, 1 apart"
    )
    func densityHistogram() {
        let line = GaussianMixture(centres: [[-1.5], [1.5]], standardDeviation: 0.5)
        var g = SeededGenerator(seed: 2)
        let histogram = DensityHistogram(
            line.sample(100_000, generator: &g).scalars.map(Double.init), low: -4, high: 4, bins: 80)
        #expect(histogram.totalVariation(to: histogram.densities) == 0)
        #expect(histogram.totalVariation(to: histogram.centres.map { line.density([$0]) }) < 0.02)
        let elsewhere = DensityHistogram([3.5, 3.6, 3.7], low: -4, high: 4, bins: 80)
        let left = DensityHistogram([-3.5, -3.6], low: -4, high: 4, bins: 80)
        #expect(abs(elsewhere.totalVariation(to: left.densities) - 1) < 1e-9)
    }

    @Test(
        "the test images judged as samples: distance 0, precision and recall 1; training images as samples sit on their nearest"
    )
    func judgeOnRealImages() throws {
        let classifier = Classifier(
            convolutionalFor: tinyData.train.imageShape, channels: [4, 8], featureSize: 16,
            classNames: tinyData.train.classNames, seed: 0)
        _ = try Trainer(epochs: 1, batchSize: 50, seed: 0, checkpointPath: nil).train(classifier, data: tinyData)
        let judge = Judge(classifier: classifier, test: tinyData.test)
        let real = tinyData.test.images(Array(0..<tinyData.test.count))
        let same = judge.evaluate(real, training: tinyData.train, test: tinyData.test)
        #expect(abs(same.frechetDistance) < 1e-6 && same.precision == 1 && same.recall == 1, "\(same.entries)")
        // The test images against themselves: each in its own ball and its 5 neighbours' (k = 5).
        #expect(abs(same.density - 1.2) < 0.1 && same.dataCoverage == 1, "\(same.entries)")
        #expect(same.coverage.counts.reduce(0, +) == tinyData.test.count)
        let copies = tinyData.train.images(Array(0..<30))
        let copied = judge.evaluate(copies, training: tinyData.train, test: tinyData.test)
        #expect(copied.sampleNearestMedian < 1e-3 && copied.testNearestMedian > 1, "\(copied.entries)")
        #expect(
            copied.closestPairs.count == 8
                && copied.closestPairs.allSatisfy { $0.sample == $0.training && $0.distance < 1e-3 })
        // The test images' own distance is measured once per judge and data, and is what measuring it anew gives.
        let distances = nearestImages(real, in: tinyData.train).map(\.distance).sorted()
        #expect(
            same.testNearestMedian == distances[distances.count / 2]
                && copied.testNearestMedian == same.testNearestMedian)
        let fewer = judge.evaluate(copies, training: tinyData.train, test: tinyData.test, memorisationCount: 10)
        let firstTen = nearestImages(tinyData.test.images(Array(0..<10)), in: tinyData.train).map(\.distance).sorted()
        #expect(fewer.testNearestMedian == firstTen[5], "a different count is measured, not taken from the cache")
    }
}
