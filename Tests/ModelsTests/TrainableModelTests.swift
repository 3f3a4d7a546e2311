import Foundation
import Testing
@testable import Datasets
@testable import Models
@testable import Training
@testable import NN

/// Logistic regression telling even digits from odd ones, from the labels the trainer hands
/// over: the smallest model the trainer trains, written against `TrainableModel` alone (the
/// protocol's defaults give its configuration, checkpoint tensors and training loss).
final class EvenDigitClassifier: TrainableModel {
    let name = "even-digits", lossDescription = "BCE averaged over images"
    let layer: Dense, loss = BinaryCrossEntropyWithLogits(reduction: .mean)
    private let targets = Tensor(zeros: [1024, 1])
    private(set) var labelsSeen: [Int] = []
    init(seed: UInt64) {
        var g = SeededGenerator(seed: seed); layer = Dense(inputSize: 784, outputSize: 1, generator: &g)
    }
    var parameters: [Parameter] { layer.parameters }

    func accumulateGradients(group: Int, batch: Batch, generator: inout SeededGenerator) -> Float {
        labelsSeen += batch.labels
        targets.reshape(to: Shape(batch.count, 1))
        for (i, label) in batch.labels.enumerated() { targets[i] = label % 2 == 0 ? 1 : 0 }
        let (value, dLogits) = loss.lossAndGradient(
            logits: layer.forward(batch.images, training: true), targets: targets)
        _ = layer.backward(dLogits)
        return value
    }
}

@Suite("The trainer trains any TrainableModel, with the batch's labels")
struct TrainableModelTests {
    @Test("a classifier gets each image's own label, and learns from them")
    func labelsReachTheModel() throws {
        let model = EvenDigitClassifier(seed: 1)
        let lines = try Trainer(
            epochs: 6, batchSize: 32, seed: 3, checkpointPath: nil, optimizer: Adam(learningRate: 1e-2)
        )
        .train(model, data: tinyData)
        // Every epoch hands over every training label once, in the shuffled order of its batches.
        #expect(model.labelsSeen.count == 6 * 200)
        var random: SeededGenerator? = Trainer.generator(seed: 3, epoch: 1)
        let batches = Batches(tinyData.train, batchSize: 32, range: .unit, shuffledBy: &random)
        let expected = (0..<batches.count).flatMap { batches.indices(ofBatch: $0).map { tinyData.train.labels[$0] } }
        #expect(Array(model.labelsSeen.prefix(200)) == expected)
        let logits = model.layer(tinyData.test.images(Array(0..<tinyData.test.count)))
        let correct = (0..<tinyData.test.count).filter { (logits[$0] > 0) == (tinyData.test.labels[$0] % 2 == 0) }.count
        // chance is 0.5
        #expect(Double(correct) / Double(tinyData.test.count) >= 0.65, "\(correct) of \(tinyData.test.count)")
        // The trainer reports the mean of the batches' losses when the model reports none.
        #expect(metric(lines[5], "train_loss") < metric(lines[0], "train_loss"))
    }

    @Test("the protocol's defaults: one group, the parameters as checkpoint tensors, a configuration naming them")
    func defaults() throws {
        let learner = Learner(EvenDigitClassifier(seed: 2), optimizer: Adam(learningRate: 1e-2))
        #expect(learner.groups.map(\.name) == ["model"])
        #expect(
            learner.checkpointTensors.map(\.name) == [
                "weight", "bias", "optimizer.step", "optimizer.weight.exp_avg", "optimizer.bias.exp_avg",
                "optimizer.weight.exp_avg_sq", "optimizer.bias.exp_avg_sq",
            ])
        #expect(
            learner.configurationJSON.contains(#""parameters":"weight (1, 784), bias (1)""#),
            "\(learner.configurationJSON)")
        #expect(learner.configurationJSON.contains("Adam(lr 0.01"))
    }

    @Test("a batch built from images alone has no labels, and says so by its count")
    func unlabelledBatch() {
        let batch = Batch(images: Tensor(zeros: [3, 784]))
        #expect(batch.count == 3 && batch.labels.isEmpty)
        #expect(Array(Batch(images: Tensor(zeros: [2, 784]), labels: [4, 7]).labels) == [4, 7])
    }
}
