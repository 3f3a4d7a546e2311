import Foundation
import Testing
@testable import Datasets
@testable import Models
@testable import Training
@testable import NN

/// The conv AE, conv VAE and DCGAN with few channels, for tiny data.
func tinyConvolutional(_ kind: ModelKind, seed: UInt64 = 0) -> any GenerativeModel {
    var settings = kind.defaultSettings(.conv)
    settings.hiddenSizes = kind == .gan ? [8, 4] : [4, 8]
    settings.latentDimension = 4
    if kind != .gan { settings.learningRate = 3e-3 }
    return kind.makeModel(settings, image: tinyData.train.imageShape, seed: seed)
}

@Suite("Convolutional models: conv AE, conv VAE, DCGAN")
struct ConvolutionalModelTests {
    @Test("the conv AE's and conv VAE's test losses fall", arguments: [ModelKind.ae, .vae])
    func lossesFall(kind: ModelKind) throws {
        let model = tinyConvolutional(kind)
        let lines = try Trainer(epochs: 3, batchSize: 32, seed: 1, checkpointPath: nil).train(
            tiny(model), data: tinyData)
        #expect(metric(lines[2], "test_loss") < metric(lines[0], "test_loss"), "\(lines)")
    }

    @Test("the networks are the issue's: names, shapes and layer order")
    func architecture() {
        let gan = GAN(convolutionalFor: Shape(1, 28, 28), seed: 0)
        #expect(gan.name == "dcgan" && gan.displayName == "DCGAN")
        // Activations are fused into the layer before them (the convolution or the batch norm).
        #expect(
            gan.generator.description
                == "Sequential(Dense(64 → 6272), BatchNorm(6272, momentum 0.1, epsilon 1e-05, relu), Reshape(128×7×7), "
                + "TransposedConv2D(128 → 64, 4×4, stride 2, padding 1), BatchNorm(64, momentum 0.1, epsilon 1e-05, relu), "
                + "TransposedConv2D(64 → 1, 4×4, stride 2, padding 1, tanh), Flatten)")
        #expect(
            gan.discriminator.description
                == "Sequential(Reshape(1×28×28), Conv2D(1 → 64, 4×4, stride 2, padding 1, leakyReLU(0.2)), "
                + "Conv2D(64 → 128, 4×4, stride 2, padding 1), BatchNorm(128, momentum 0.1, epsilon 1e-05, leakyReLU(0.2)), Flatten, Dense(6272 → 1))"
        )
        let vae = VariationalAutoencoder(convolutionalFor: Shape(1, 28, 28), seed: 0)
        #expect(
            vae.encoder.description == "Sequential(Reshape(1×28×28), Conv2D(1 → 32, 4×4, stride 2, padding 1, relu), "
                + "Conv2D(32 → 64, 4×4, stride 2, padding 1, relu), Flatten)")
        #expect(
            vae.decoder.description
                == "Sequential(Dense(20 → 3136, relu), Reshape(64×7×7), TransposedConv2D(64 → 32, 4×4, stride 2, padding 1, relu), "
                + "TransposedConv2D(32 → 1, 4×4, stride 2, padding 1), Flatten)")
        var g = SeededGenerator(seed: 1)
        #expect(gan.generator(Tensor.normal([3, 64], using: &g)).shape == Shape(3, 784))
        #expect(vae.decode(Tensor.normal([3, 20], using: &g)).shape == Shape(3, 784))
    }

    @Test(
        "a saved and reloaded conv model gives identical samples (BatchNorm's running statistics included)",
        arguments: [ModelKind.ae, .vae, .gan])
    func saveAndReload(kind: ModelKind) throws {
        let model = tinyConvolutional(kind)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try Trainer(epochs: 1, batchSize: 50, seed: 2, checkpointPath: path).train(tiny(model), data: tinyData)
        let reloaded = tinyConvolutional(kind)
        _ = try CheckpointState.load(into: tiny(reloaded), from: path)
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        #expect(
            model.sample(count: 5, temperature: 1, generator: &a).scalars
                == reloaded.sample(count: 5, temperature: 1, generator: &b).scalars)
    }

    @Test("a DCGAN sample does not depend on the rest of its batch: BatchNorm uses its running statistics")
    func samplesIndependentOfBatch() throws {
        let gan = tinyConvolutional(.gan)
        _ = try Trainer(epochs: 1, batchSize: 50, seed: 2, checkpointPath: nil).train(tiny(gan), data: tinyData)
        var g = SeededGenerator(seed: 3)
        let z = Tensor.normal([6, 4], using: &g)
        let together = gan.decode(z).copy()
        let alone = gan.decode(Tensor(shape: [1, 4], values: Array(z.scalars[0..<4])))
        // Equal up to the BLAS's rounding, which may differ with the batch's size; batch
        // statistics would move every pixel by far more.
        var worst: Float = 0
        for i in 0..<784 { worst = max(worst, abs(together[i] - alone[i])) }
        #expect(worst < 1e-5, "a sample changed by \(worst) with its batch")
    }

    @Test("images whose sides do not halve cleanly are refused, saying how many halvings need what")
    func unsupportedImages() {
        let settings = ModelKind.vae.defaultSettings(.conv)
        let problem = ModelKind.vae.problem(settings, image: Shape(3, 30, 30))
        #expect(problem == .sidesNotDivisible(halvings: 2, height: 30, width: 30))
        #expect(problem?.description == "2 stride-2 layers need image sides divisible by 4, got 30×30")
        #expect(ModelKind.vae.problem(settings, image: Shape(3, 32, 32)) == nil)
        #expect(ModelKind.vae.problem(ModelKind.vae.defaultSettings, image: Shape(3, 30, 30)) == nil)
        var wide = settings
        wide.hiddenSizes = [4096]
        #expect(ModelKind.ae.problem(wide, image: Shape(1, 28, 28)) == .channelCounts([4096]))
    }

    @Test("settings saved before --arch existed read as an MLP's")
    func olderSettings() throws {
        let old =
            #"{"beta":1,"discriminatorSteps":1,"generatorLoss":"non-saturating","hiddenSizes":[400],"latentDimension":20,"learningRate":0.001}"#
        let settings = try JSONDecoder().decode(ModelSettings.self, from: Data(old.utf8))
        #expect(settings == ModelKind.vae.defaultSettings)
        let conv = ModelKind.gan.defaultSettings(.conv)
        #expect(try JSONDecoder().decode(ModelSettings.self, from: JSONEncoder().encode(conv)) == conv)
    }
}
