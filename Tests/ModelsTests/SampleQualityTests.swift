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
