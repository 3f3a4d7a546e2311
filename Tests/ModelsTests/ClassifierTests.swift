import Foundation
import Testing
@testable import Datasets
@testable import Models
@testable import Training
@testable import NN

@Suite("The classifier")
struct ClassifierTests {
    static let digits = DatasetSplits(
        train: SyntheticDigits.make(count: 1000, seed: 3), test: SyntheticDigits.make(count: 200, seed: 4))

    @Test(
        "MLP and conv classifiers learn the synthetic digits' labels; accuracy is counted from the logits",
        arguments: [Architecture.mlp, .conv])
    func learns(architecture: Architecture) throws {
        let names = ClassifierTests.digits.train.classNames
        let model =
            architecture == .mlp
            ? Classifier(hiddenSizes: [64], classNames: names, seed: 0)
            : Classifier(
                convolutionalFor: ClassifierTests.digits.train.imageShape, channels: [8, 16], featureSize: 32,
                classNames: names, seed: 0)
        var g = SeededGenerator(seed: 0)
        let before = model.evaluate(ClassifierTests.digits.test, generator: &g)
        let lines = try Trainer(epochs: 5, batchSize: 20, seed: 1, checkpointPath: nil).train(
            tiny(model), data: ClassifierTests.digits)
        let after = model.evaluate(ClassifierTests.digits.test, generator: &g)
        let accuracy = after.first { $0.0 == .testAccuracy }!.1
        #expect(
            accuracy > 0.7 && accuracy > before.first { $0.0 == .testAccuracy }!.1 + 0.3,
            "\(architecture): \(before) → \(after)")
        #expect(lines.last!.contains("\"loss_reduction\":\"softmax cross-entropy, averaged over images\""))
        // predict agrees with the reported accuracy.
        let x = ClassifierTests.digits.test.images(Array(0..<ClassifierTests.digits.test.count))
        let hits = zip(model.predict(x), ClassifierTests.digits.test.labels).filter { $0 == $1 }.count
        #expect(abs(Double(hits) / Double(ClassifierTests.digits.test.count) - accuracy) < 1e-9)
        #expect(model.embed(x).shape == Shape(ClassifierTests.digits.test.count, architecture == .mlp ? 64 : 32))
    }
}
