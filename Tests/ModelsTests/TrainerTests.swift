import Foundation
import Testing
@testable import Datasets
@testable import Models
@testable import Training
@testable import NN

@Suite("The trainer's optimisation: per-group optimizers, clipping, schedules, hooks, early stopping")
struct TrainerTests {
    @Test("each parameter group gets its own optimizer; an override changes one group and the configuration says so")
    func groupsAndOverrides() {
        let learner = Learner(tinyGAN(), optimizer: Adam(learningRate: 2e-4, beta1: 0.5))
        #expect(learner.groups.map(\.name) == ["generator", "discriminator"])
        let generator = learner.optimizer("generator"), discriminator = learner.optimizer("discriminator")
        #expect(generator !== discriminator)
        #expect(learner.optimizerDescription == "Adam(lr 0.0002, beta1 0.5, beta2 0.999, epsilon 1e-08)")
        let faster = Learner(
            tinyGAN(), optimizer: Adam(learningRate: 2e-4, beta1: 0.5),
            overrides: ["discriminator": Adam(learningRate: 4e-4, beta1: 0.5)])
        #expect(
            faster.optimizer("discriminator")?.learningRate == 4e-4
                && faster.optimizer("generator")?.learningRate == 2e-4)
        #expect(
            faster.optimizerDescription.hasPrefix("generator: Adam(lr 0.0002")
                && faster.optimizerDescription.contains("discriminator: Adam(lr 0.0004"))
        #expect(faster.configurationJSON != learner.configurationJSON, "a cache key must change with the optimisation")
    }

    @Test("clipping by norm scales a gradient above the norm down to it and leaves one below alone")
    func clipping() {
        let a = Parameter(name: "a", value: Tensor(zeros: [2])), b = Parameter(name: "b", value: Tensor(zeros: [1]))
        a.gradient.assign(Tensor(shape: [2], values: [3, 0])); b.gradient.assign(Tensor(shape: [1], values: [4]))
        #expect(Learner.clip([a, b], toNorm: 10) == 5)
        #expect(a.gradient.scalars == [3, 0] && b.gradient.scalars == [4])
        #expect(Learner.clip([a, b], toNorm: 1) == 5)
        #expect(abs(a.gradient[0] - 0.6) < 1e-6 && abs(b.gradient[0] - 0.8) < 1e-6)
    }

    @Test("a clipped run's steps are smaller, and the configuration names the clipping")
    func clippedTraining() throws {
        func firstStepMove(clip: Float?) -> Float {
            let model = tinyAutoencoder(seed: 3)
            let learner = Learner(model, optimizer: SGD(learningRate: 0.1), gradientClipNorm: clip)
            let before = model.parameters[0].value.copy()
            var g = SeededGenerator(seed: 1)
            _ = learner.step(Batch(images: tinyData.train.images(Array(0..<20), range: .unit)), generator: &g)
            return zip(before.scalars, model.parameters[0].value.scalars).map { abs($0 - $1) }.max()!
        }
        #expect(firstStepMove(clip: 1e-3) < firstStepMove(clip: nil) / 10)
        #expect(
            Learner(tinyAutoencoder(), gradientClipNorm: 1).configurationJSON.contains("gradients clipped to norm 1.0"))
    }

    @Test("the schedule's position survives a checkpoint: a resumed cosine run ends where an unbroken one does")
    func scheduleResumes() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let cosine = { Adam(learningRate: 3e-3, schedule: .cosine(steps: 8)) }
        let unbroken = Learner(tinyAutoencoder(), optimizer: cosine())
        try Trainer(epochs: 2, batchSize: 50, seed: 4, checkpointPath: nil).train(unbroken, data: tinyData)
        #expect(unbroken.optimizers[0]?.steps == 8 && unbroken.optimizers[0]?.currentLearningRate == 0)
        try Trainer(epochs: 1, batchSize: 50, seed: 4, checkpointPath: path).train(
            Learner(tinyAutoencoder(), optimizer: cosine()), data: tinyData)
        let resumed = Learner(tinyAutoencoder(), optimizer: cosine())
        let state = try CheckpointState.load(into: resumed, from: path)
        #expect(resumed.optimizers[0]?.steps == 4)
        try Trainer(epochs: 2, batchSize: 50, seed: 4, checkpointPath: nil).train(
            resumed, data: tinyData, resumingFrom: state)
        for (a, b) in zip(unbroken.checkpointTensors, resumed.checkpointTensors) {
            #expect(a.value.scalars == b.value.scalars, "\(a.name)")
        }
    }

    @Test(
        "the weight average: θ̄ ← d·θ̄ + (1 − d)·θ with d = min(decay, (1 + n) / (10 + n)), and the swap; a file's state is checked"
    )
    func weightAverageFormula() {
        let p = Parameter(name: "w", value: Tensor(shape: [2], values: [1, 2]))
        let average = WeightAverage([p], decay: 0.15)
        p.value.data[0] = 3  // a step: θ = (3, 2)
        average.update()  // d = min(0.15, 1/10): θ̄ = 0.1·(1, 2) + 0.9·(3, 2)
        p.value.data[1] = 4  // θ = (3, 4)
        average.update()  // d = min(0.15, 2/11): the decay itself from here on
        let d: Float = 0.15
        let expected: [Float] = [d * (0.1 * 1 + 0.9 * 3) + (1 - d) * 3, d * (0.1 * 2 + 0.9 * 2) + (1 - d) * 4]
        #expect(average.steps == 2 && !average.modelHoldsAverage)
        average.useAverage()
        #expect(average.modelHoldsAverage && p.value.scalars == expected, "\(p.value.scalars) against \(expected)")
        average.useAverage()  // twice: still θ̄
        #expect(p.value.scalars == expected)
        average.useTrainingWeights()
        #expect(p.value.scalars == [3, 4] && !average.modelHoldsAverage)
        // A hostile file's state: refused, not trusted.
        #expect(WeightAverage.problem(withState: [4, 1]) == nil)
        for bad: [Float] in [[-10, 1], [2.5, 1], [1e30, 1], [4, 0], [4, 0.5], [4]] {
            #expect(WeightAverage.problem(withState: bad) != nil, "\(bad)")
        }
    }

    @Test(
        "a run with averaged weights: the model ends on θ̄, the file keeps θ, and a resumed run ends where an unbroken one does"
    )
    func weightAverageTrainingAndResume() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let unbroken = Learner(tinyAutoencoder(), averageDecay: 0.9)
        try Trainer(epochs: 2, batchSize: 50, seed: 4, checkpointPath: nil).train(unbroken, data: tinyData)
        let average = try #require(unbroken.weightAverage)
        #expect(average.modelHoldsAverage && average.steps == 8)
        #expect(unbroken.configurationJSON.contains("weights averaged (decay 0.9)"))
        // The model holds θ̄; stepping swaps θ back in, and they differ.
        let held = unbroken.model.parameters.map(\.value.scalars)
        average.useTrainingWeights()
        #expect(unbroken.model.parameters.map(\.value.scalars) != held)
        average.useAverage()
        let written = Learner(tinyAutoencoder(), averageDecay: 0.9)
        try Trainer(epochs: 1, batchSize: 50, seed: 4, checkpointPath: path).train(written, data: tinyData)
        // The file's θ, loaded into a fresh model, is the weights as trained at its last step.
        let asTrained = tinyAutoencoder()
        try WeightAverage.loadTrainedWeights(into: asTrained, from: path)
        written.weightAverage?.useTrainingWeights()
        #expect(asTrained.parameters.map(\.value.scalars) == written.model.parameters.map(\.value.scalars))
        // Its other state is the file's too: the code range its samples are drawn in.
        let writtenRange = (written.model as! Autoencoder).codeMinimum.scalars
        #expect(asTrained.codeMinimum.scalars == writtenRange && writtenRange != tinyAutoencoder().codeMinimum.scalars)
        written.weightAverage?.useAverage()
        #expect(asTrained.parameters.map(\.value.scalars) != written.model.parameters.map(\.value.scalars))
        let resumed = Learner(tinyAutoencoder(), averageDecay: 0.9)
        let state = try CheckpointState.load(into: resumed, from: path)
        #expect(resumed.weightAverage?.steps == 4 && resumed.weightAverage?.modelHoldsAverage == true)
        try Trainer(epochs: 2, batchSize: 50, seed: 4, checkpointPath: nil).train(
            resumed, data: tinyData, resumingFrom: state)
        #expect(unbroken.checkpointTensors.count == resumed.checkpointTensors.count)
        for (a, b) in zip(unbroken.checkpointTensors, resumed.checkpointTensors) {
            #expect(a.name == b.name && a.value.scalars == b.value.scalars, "\(a.name)")
        }
        // A plain learner does not load an averaged run's file: another configuration.
        #expect(throws: FileError.self) { try CheckpointState.load(into: Learner(tinyAutoencoder()), from: path) }
        // A plain run's file has no weights as trained beside the model's: refused, the model untouched.
        let plainPath = path + ".plain.safetensors"
        defer { try? FileManager.default.removeItem(atPath: plainPath) }
        try Trainer(epochs: 1, batchSize: 50, seed: 4, checkpointPath: plainPath).train(
            Learner(tinyAutoencoder()), data: tinyData)
        let untouched = tinyAutoencoder(), before = untouched.parameters.map(\.value.scalars)
        #expect(throws: FileError.self) { try WeightAverage.loadTrainedWeights(into: untouched, from: plainPath) }
        #expect(untouched.parameters.map(\.value.scalars) == before)
    }

    @Test("hooks: onStep after every batch, onEpoch after every epoch with the metrics line's figures")
    func hooks() throws {
        var steps: [StepRecord] = [], epochs: [EpochRecord] = []
        var trainer = Trainer(
            epochs: 2, batchSize: 64, seed: 1, checkpointPath: nil, optimizer: Adam(learningRate: 3e-3))
        trainer.onStep = { steps.append($0) }
        trainer.onEpoch = { epochs.append($0) }
        let lines = try trainer.train(tinyVAE(), data: tinyData)
        #expect(
            steps.count == 2 * 4 && steps.map(\.batch) == [1, 2, 3, 4, 1, 2, 3, 4]
                && steps.allSatisfy { $0.loss.isFinite })
        #expect(epochs.map(\.epoch) == [1, 2] && epochs.map(\.line) == lines)
        #expect(
            abs(epochs[1][.testLoss]! - metric(lines[1], "test_loss")) < 1e-6 * metric(lines[1], "test_loss")
                && epochs[1][Metric("missing")] == nil)
    }

    @Test("early stopping ends a run whose validation figure stops improving and puts the best epoch's weights back")
    func earlyStopping() throws {
        let model = ScriptedValidation(validationLosses: [5, 4, 3, 3.5, 3.2, 2, 1])
        let stopping = EarlyStopping(validation: SyntheticDigits.make(count: 7, seed: 9), patience: 2)
        var trainer = Trainer(epochs: 7, batchSize: 100, seed: 1, checkpointPath: nil, optimizer: SGD(learningRate: 1))
        trainer.earlyStopping = stopping
        let lines = try trainer.train(model, data: tinyData)
        // Best after epoch 3; epochs 4 and 5 do not improve on it: stop after 5, weights of epoch 3.
        #expect(stopping.stoppedAfter == 5 && stopping.bestEpoch == 3 && stopping.bestValue == 3 && lines.count == 5)
        #expect(lines.map { metric($0, "validation_loss") } == [5, 4, 3, 3.5, 3.2])
        #expect(metric(lines[4], "best_epoch") == 3 && !lines[3].contains("best_epoch"))
        #expect(model.weight.value[0] == 6, "two steps an epoch: 6 after epoch 3, 10 after epoch 5")
    }
}

/// A model whose every step adds 1 to its weight and whose validation loss follows a script.
final class ScriptedValidation: TrainableModel {
    let name = "scripted", lossDescription = "none"
    let weight = Parameter(name: "weight", value: Tensor(zeros: [1]))
    let validationLosses: [Double]
    private var validations = 0
    init(validationLosses: [Double]) { self.validationLosses = validationLosses }
    var parameters: [Parameter] { [weight] }
    func accumulateGradients(group: Int, batch: Batch, generator: inout SeededGenerator) -> Float {
        weight.gradient[0] = -1
        return 0
    }
    func evaluate(_ test: Dataset, generator: inout SeededGenerator) -> [(Metric, Double)] {
        guard test.count == 7 else { return [(.testLoss, 0)] }  // the validation set has 7 images
        validations += 1
        return [(.testLoss, validationLosses[validations - 1])]
    }
}
