import Foundation
import Testing
@testable import Datasets
@testable import Models
@testable import NN

/// A model that is not generative: logistic regression telling even digits from odd ones, from
/// the labels the trainer hands over. It exists to show that the trainer trains any
/// `TrainableModel`, labels included.
final class EvenDigitClassifier: TrainableModel {
    let name = "even-digits", displayName = "Even digits"
    let layer: Dense
    let optimizer: any Optimizer
    let loss = BinaryCrossEntropyWithLogits(reduction: .mean)
    private let targets = Tensor(zeros: [1024, 1])
    private(set) var labelsSeen: [Int] = []
    private var lossSum = 0.0, steps = 0

    init(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        layer = Dense(inputSize: 784, outputSize: 1, generator: &g)
        optimizer = OptimizerFactory.adam(learningRate: 1e-2)(layer.parameters)
    }

    var configurationJSON: String { jsonObject([("model", jsonQuoted(name)), ("layer", jsonQuoted(layer.description))]) }
    var pixelRange: PixelRange { .unit }
    var parameters: [Parameter] { layer.parameters }
    var checkpointTensors: [NamedTensor] { layer.stateTensors + optimizer.state.map { $0.prefixed("optimizer") } }
    var lossDescription: String { "BCE averaged over images" }
    func beginEpoch() { lossSum = 0; steps = 0 }

    func fillTargets(_ labels: some Collection<Int>) {
        targets.reshape(to: Shape(labels.count, 1))
        for (i, label) in labels.enumerated() { targets[i] = label % 2 == 0 ? 1 : 0 }
    }

    func trainStep(_ batch: Batch, generator: inout SeededGenerator) -> Float {
        labelsSeen += batch.labels
        fillTargets(batch.labels)
        layer.parameters.zeroGradients()
        let (value, gradient) = loss.lossAndGradient(logits: layer.forward(batch.images, training: true), targets: targets)
        _ = layer.backward(gradient)
        optimizer.step()
        lossSum += Double(value); steps += 1
        return value
    }

    func epochMetrics() -> [(String, Double)] { [("train_loss", lossSum / Double(max(steps, 1)))] }

    func evaluate(_ test: Dataset, generator: inout SeededGenerator) -> [(String, Double)] {
        var correct = 0, start = 0
        test.forEachChunk(range: .unit) { x in
            let logits = layer(x)
            for i in 0..<x.shape[0] where (logits[i] > 0) == (test.labels[start + i] % 2 == 0) { correct += 1 }
            start += x.shape[0]
        }
        return [("test_accuracy", Double(correct) / Double(test.count))]
    }
}

@Suite("The trainer trains any TrainableModel, with the batch's labels")
struct TrainableModelTests {
    @Test("a classifier gets each image's own label, and learns from them")
    func labelsReachTheModel() throws {
        let model = EvenDigitClassifier(seed: 1)
        let lines = try Trainer(epochs: 6, batchSize: 32, seed: 3, checkpointPath: nil).train(model, data: tinyData)
        // Every epoch hands over every training label once, in the shuffled order of its batches.
        #expect(model.labelsSeen.count == 6 * 200)
        var random: SeededGenerator? = Trainer.generator(seed: 3, epoch: 1)
        let batches = Batches(tinyData.train, batchSize: 32, range: .unit, shuffledBy: &random)
        let expected = (0..<batches.count).flatMap { batches.indices(ofBatch: $0).map { tinyData.train.labels[$0] } }
        #expect(Array(model.labelsSeen.prefix(200)) == expected)
        #expect(metric(lines[5], "test_accuracy") >= 0.65, "\(lines)")   // chance is 0.5
        #expect(metric(lines[5], "train_loss") < metric(lines[0], "train_loss"))
    }

    @Test("a batch built from images alone has no labels, and says so by its count")
    func unlabelledBatch() {
        let batch = Batch(images: Tensor(zeros: [3, 784]))
        #expect(batch.count == 3 && batch.labels.isEmpty)
        #expect(Array(Batch(images: Tensor(zeros: [2, 784]), labels: [4, 7]).labels) == [4, 7])
    }
}
