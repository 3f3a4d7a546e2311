import Foundation
import Testing
@testable import Datasets
@testable import Evaluation
@testable import Models
@testable import Training
@testable import NN

/// The settings of a small AE on the synthetic digits with `change` applied.
func familySettings(_ change: (inout ModelSettings) -> Void = { _ in }) -> ModelSettings {
    var s = ModelSettings(latentDimension: 6, hiddenSizes: [32], learningRate: 3e-3)
    change(&s)
    return s
}

func makeFamilyAutoencoder(_ settings: ModelSettings, seed: UInt64 = 0) -> Autoencoder {
    precondition(ModelKind.ae.problem(settings, image: tinyData.train.imageShape) == nil)
    return ModelKind.ae.makeModel(settings, image: tinyData.train.imageShape, seed: seed) as! Autoencoder
}

@Suite("The autoencoder family: denoising, sparse, contractive, tied, stacked, PCA")
struct AutoencoderFamilyTests {
    static let variants: [(String, @Sendable (inout ModelSettings) -> Void)] = [
        ("squared error", { $0.reconstructionLoss = .mse }),
        (
            "one layer, sigmoid code",
            {
                $0.hiddenSizes = []; $0.codeActivation = .sigmoid
            }
        ),
        ("denoising, Gaussian", { $0.corruption = .gaussian(sigma: 0.5) }),
        ("denoising, masking", { $0.corruption = .mask(fraction: 0.3) }),
        ("denoising, salt and pepper", { $0.corruption = .saltPepper(fraction: 0.2) }),
        ("sparse, L1", { $0.sparsity = .l1(weight: 0.01) }),
        (
            "sparse, KL",
            {
                $0.codeActivation = .sigmoid; $0.sparsity = .kl(target: 0.05, weight: 1)
            }
        ),
        (
            "contractive",
            {
                $0.hiddenSizes = []; $0.codeActivation = .sigmoid; $0.contractive = 0.5
            }
        ),
        ("tied weights", { $0.tiedWeights = true }),
        (
            "greedy pretraining",
            {
                $0.hiddenSizes = [32, 16]; $0.pretrainEpochs = 1
            }
        ),
        (
            "greedy pretraining, tied weights, squared error",
            {
                $0.hiddenSizes = [32, 16]; $0.pretrainEpochs = 1; $0.tiedWeights = true; $0.reconstructionLoss = .mse
            }
        ),
    ]

    @Test(
        "every variant trains: finite losses, and the test loss falls over its end-to-end epochs",
        arguments: variants.indices)
    func variantTrains(index: Int) throws {
        let (name, change) = AutoencoderFamilyTests.variants[index]
        let model = makeFamilyAutoencoder(familySettings(change))
        let epochs = model.pretrainingEpochs + 4
        let lines = try Trainer(epochs: epochs, batchSize: 32, seed: 1, checkpointPath: nil).train(
            tiny(model), data: tinyData)
        let losses = lines.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["test_reconstruction"]
                as? Double
        }
        #expect(losses.count == epochs && losses.allSatisfy(\.isFinite), "\(name): \(losses)")
        #expect(losses.last! < losses[model.pretrainingEpochs], "\(name): test reconstruction \(losses)")
    }

    @Test("the corruption is drawn anew every epoch and identically on a rerun with the same seed")
    func corruptionPerEpoch() throws {
        let clean = tinyData.train.images(Array(0..<16), range: .unit)
        func noisy(epoch: Int) -> [Float] {
            var g = Trainer.generator(seed: 4, epoch: epoch, purpose: 1)  // the generator the trainer hands each step
            return Corruption.mask(fraction: 0.5).applied(to: clean, generator: &g).scalars
        }
        #expect(noisy(epoch: 1) == noisy(epoch: 1))
        #expect(noisy(epoch: 1) != noisy(epoch: 2))
        // Through the model and the trainer: two runs, one seed, the same numbers; another seed, others.
        func run(seed: UInt64) throws -> [String] {
            let model = makeFamilyAutoencoder(familySettings { $0.corruption = .gaussian(sigma: 0.3) })
            return try Trainer(epochs: 2, batchSize: 50, seed: seed, checkpointPath: nil).train(
                tiny(model), data: tinyData
            )
            .map {
                $0.replacingOccurrences(of: #""seconds":[^,]*,"#, with: "", options: .regularExpression)
                    .replacingOccurrences(of: #","images_per_second":[^,]*"#, with: "", options: .regularExpression)
            }
        }
        #expect(try run(seed: 4) == run(seed: 4))
        #expect(try run(seed: 4) != run(seed: 5))
    }

    @Test("each corruption does what it says, in expectation")
    func corruptionStatistics() {
        let clean = Tensor(shape: [100, 100], repeating: 0.5)
        var g = SeededGenerator(seed: 9)
        let gaussian = Corruption.gaussian(sigma: 0.5).applied(to: clean, generator: &g)
        let variance = gaussian.scalars.reduce(0.0) { $0 + pow(Double($1) - 0.5, 2) } / 10_000
        #expect(abs(variance - 0.25) < 0.01)
        let masked = Corruption.mask(fraction: 0.3).applied(to: clean, generator: &g).scalars
        #expect(
            abs(Double(masked.filter { $0 == 0 }.count) / 10_000 - 0.3) < 0.02
                && masked.allSatisfy { $0 == 0 || $0 == 0.5 })
        let salted = Corruption.saltPepper(fraction: 0.2).applied(to: clean, generator: &g).scalars
        let zeros = Double(salted.filter { $0 == 0 }.count) / 10_000,
            ones = Double(salted.filter { $0 == 1 }.count) / 10_000
        #expect(abs(zeros - 0.1) < 0.015 && abs(ones - 0.1) < 0.015)
        #expect(
            Corruption(argument: "gaussian:0.5") == .gaussian(sigma: 0.5)
                && Corruption(argument: "salt-pepper:0.1") == .saltPepper(fraction: 0.1))
        for bad in ["gaussian", "gaussian:-1", "mask:1", "mask:0", "blur:0.5", "gaussian:nan", "salt-pepper:0.1:2"] {
            #expect(Corruption(argument: bad) == nil, "\(bad)")
        }
        #expect(
            Sparsity(argument: "kl:0.05:3") == .kl(target: 0.05, weight: 3)
                && Sparsity(argument: "l1:0.001") == .l1(weight: 0.001))
        for bad in ["kl:1:3", "kl:0.05", "l1", "l1:-2", "l2:0.1"] { #expect(Sparsity(argument: bad) == nil, "\(bad)") }
    }

    @Test(
        "a square hole: one side × side block of each image set to 0, the rest untouched; only for square grey images")
    func squareHole() {
        let clean = Tensor(shape: [50, 64], repeating: 0.5)  // 50 images of 8 × 8
        var g = SeededGenerator(seed: 3)
        let holed = Corruption.square(side: 3).applied(to: clean, generator: &g)
        for image in 0..<50 {
            let pixels = (0..<64).map { holed[image, $0] }
            let zeros = pixels.indices.filter { pixels[$0] == 0 }
            #expect(zeros.count == 9 && pixels.allSatisfy { $0 == 0 || $0 == 0.5 })
            let rows = Set(zeros.map { $0 / 8 }), columns = Set(zeros.map { $0 % 8 })
            #expect(
                rows.count == 3 && columns.count == 3 && rows.max()! - rows.min()! == 2
                    && columns.max()! - columns.min()! == 2)
        }
        #expect(Corruption(argument: "square:8") == .square(side: 8) && Corruption(argument: "square:2.5") == nil)
        #expect(Corruption.square(side: 8).problem(image: Shape(1, 28, 28)) == nil)
        #expect(
            Corruption.square(side: 8).problem(image: Shape(3, 28, 28))
                == .corruptionNeedsSquareGreyImages("square:8", image: [3, 28, 28]))
        #expect(
            Corruption.square(side: 28).problem(image: Shape(1, 28, 28))
                == .squareCorruptionTooLarge(side: 28, imageSide: 28))
    }

    @Test("low resolution: every block holds its mean; a stroke: a white line across, the rest untouched")
    func imageToImageCorruptions() {
        var g = SeededGenerator(seed: 8)
        let x = Tensor.uniform([2, 16], using: &g)  // two 4×4 images
        let low = Corruption.lowResolution(factor: 2).applied(to: x, generator: &g)
        for image in 0..<2 {
            for (top, left) in [(0, 0), (0, 2), (2, 0), (2, 2)] {
                let cells = [(0, 0), (0, 1), (1, 0), (1, 1)].map { image * 16 + (top + $0.0) * 4 + left + $0.1 }
                let mean = cells.reduce(Float(0)) { $0 + x[$1] } / 4
                #expect(cells.allSatisfy { abs(low[$0] - mean) < 1e-6 })
            }
        }
        let y = Tensor(zeros: [3, 28 * 28])
        let marked = Corruption.stroke(width: 2).applied(to: y, generator: &g)
        for image in 0..<3 {
            // Two white pixels in every column, side by side (the band kept inside the image), none else.
            for column in 0..<28 {
                let white = (0..<28).filter { marked[image * 784 + $0 * 28 + column] == 1 }
                #expect(white.count == 2 && white[1] == white[0] + 1)
            }
            #expect((0..<784).allSatisfy { marked[image * 784 + $0] == 0 || marked[image * 784 + $0] == 1 })
        }
        #expect(Corruption(argument: "low-resolution:2") == .lowResolution(factor: 2))
        #expect(Corruption(argument: "stroke:3") == .stroke(width: 3) && Corruption(argument: "stroke:0") == nil)
        #expect(
            Corruption.lowResolution(factor: 3).problem(image: Shape(1, 28, 28))
                == .blocksDoNotDivide(factor: 3, imageSide: 28))
        #expect(
            Corruption.stroke(width: 28).problem(image: Shape(1, 28, 28)) == .strokeTooWide(width: 28, imageSide: 28))
    }

    @Test("greedy pretraining trains layer k alone, on the codes of the layers below, then everything end to end")
    func greedyStages() throws {
        let model = makeFamilyAutoencoder(
            familySettings {
                $0.hiddenSizes = [32, 16]; $0.pretrainEpochs = 1
            })
        let pretraining = try #require(model.pretraining)
        #expect(pretraining.encoderLayers.count == 3 && model.pretrainingEpochs == 3)
        // encoder layer k's and its mirror's tensors, for k = 0, 1, 2
        let encoder = (model.encoder as! Sequential).layers.map { $0 as! Dense }
        let decoder = (model.decoder as! Sequential).layers.map { $0 as! Dense }
        func snapshot() -> [[Float]] {
            (0..<3).map { k in encoder[k].weight.value.scalars + decoder[2 - k].weight.value.scalars }
        }
        var snapshots = [snapshot()]
        var trainer = Trainer(epochs: 4, batchSize: 50, seed: 2, checkpointPath: nil)
        trainer.onEpoch = { _ in snapshots.append(snapshot()) }
        let lines = try trainer.train(tiny(model), data: tinyData)
        for epoch in 1...3 {
            let moved = (0..<3).filter { snapshots[epoch][$0] != snapshots[epoch - 1][$0] }
            #expect(moved == [epoch - 1], "epoch \(epoch) moved layers \(moved)")
            #expect(lines[epoch - 1].contains("\"pretraining_layer\":\(epoch)"))
        }
        #expect((0..<3).allSatisfy { snapshots[4][$0] != snapshots[3][$0] }, "the last epoch trains every layer")
        // Stage 2's loss is the squared error of reconstructing layer 1's codes, not the images.
        let x = tinyData.train.images(Array(0..<20), range: .unit)
        let codes = encoder[0](x).copy()
        let expected = MeanSquaredError(reduction: .sumPerItem).loss(
            prediction: decoder[1](encoder[1](codes)), targets: codes)
        #expect(abs(pretraining.accumulateGradients(stage: 1, images: x) - expected) < 1e-4 * max(1, expected))
    }

    @Test(
        "tied weights: the decoder reads the encoder's weights, the checkpoint stores each once, and a reload decodes the same"
    )
    func tiedCheckpoint() throws {
        let model = makeFamilyAutoencoder(familySettings { $0.tiedWeights = true })
        let names = tiny(model).checkpointTensors.map(\.name)
        #expect(!names.contains { $0.hasPrefix("decoder") && $0.hasSuffix(".weight") })
        #expect(names.contains("encoder.layers.0.weight") && names.contains("decoder.layers.1.bias"))
        let learner = tiny(model)
        _ = try Trainer(epochs: 1, batchSize: 50, seed: 1, checkpointPath: nil).train(learner, data: tinyData)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tied-\(getpid()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try CheckpointState(completedEpochs: 1, metricsLines: ["{}"]).save(
            learner, to: path, seed: 1, datasetName: "synthetic")
        let reloaded = makeFamilyAutoencoder(familySettings { $0.tiedWeights = true }, seed: 9)
        _ = try CheckpointState.load(into: tiny(reloaded), from: path)
        let z = Tensor(shape: [2, 6], repeating: 0.3)
        #expect(reloaded.decode(z).scalars == model.decode(z).scalars)
    }

    @Test("PCA: LAPACK's eigenvectors, the Eckart–Young training error, and the linear AE never beats it")
    func pca() throws {
        let (values, vectors) = symmetricEigenDecomposition([2, 1, 1, 2], size: 2)
        #expect(abs(values[0] - 1) < 1e-12 && abs(values[1] - 3) < 1e-12)
        #expect(abs(abs(vectors[2]) - 0.5.squareRoot()) < 1e-12 && abs(vectors[2] - vectors[3]) < 1e-12)
        let model =
            ModelKind.pca.makeModel(ModelKind.pca.defaultSettings, image: tinyData.train.imageShape, seed: 0)
            as! PrincipalComponentModel
        let lines = try Trainer(epochs: 1, batchSize: 64, seed: 0, checkpointPath: nil).train(
            tiny(model), data: tinyData)
        let record = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        // The reported training error (discarded eigenvalues) against the reconstructions themselves.
        let x = tinyData.train.images(Array(0..<tinyData.train.count), range: .unit)
        let error = squaredError(model.decoder(model.encoder(x)), x) / Double(tinyData.train.count)
        #expect(
            abs((record["train_loss"] as! Double) - error) < 1e-3 * error,
            "reported \(record["train_loss"]!), measured \(error)")
        // Components orthonormal.
        let v = model.encoder.weight.value, gram = matmul(v, v, transposeB: true)
        for i in 0..<30 { for j in 0..<30 { #expect(abs(gram[i, j] - (i == j ? 1 : 0)) < 1e-4) } }
        // A linear AE with the same code size trained by gradient steps does not beat the optimum.
        let linear = makeFamilyAutoencoder(
            familySettings {
                $0.hiddenSizes = []; $0.latentDimension = 30; $0.reconstructionLoss = .mse; $0.learningRate = 1e-2
            })
        _ = try Trainer(epochs: 15, batchSize: 20, seed: 0, checkpointPath: nil).train(
            Learner(linear, optimizer: Adam(learningRate: 1e-2)), data: tinyData)
        let linearError = squaredError(linear.decoder(linear.encoder(x)), x) / Double(tinyData.train.count)
        #expect(linearError >= error * 0.999 && linearError < error * 3, "linear AE \(linearError), PCA \(error)")
        // Measures through encode/decode: an orthonormal projection shrinks a random δ by about √(K/D).
        let measures = try #require(AutoencoderMeasures.measure(model, test: tinyData.test, seed: 0))
        #expect(abs(measures.contraction - (30.0 / 784).squareRoot()) < 0.03, "\(measures.contraction)")
        // The decoder is the same orthonormal map back (‖V z‖ = ‖z‖): the output moves as the code does,
        // less only where clamping to [0, 1] stops it.
        #expect(
            measures.outputContraction <= measures.contraction + 1e-6
                && measures.outputContraction > 0.5 * measures.contraction, "\(measures.outputContraction)")
        #expect(abs(measures.noisyInputMSE - 0.25) < 0.01)
    }

    @Test(
        "settings refuse what cannot be built, in the library's words; older checkpoints' settings read as the plain AE"
    )
    func problemsAndDecoding() throws {
        let image = tinyData.train.imageShape
        #expect(
            ModelKind.ae.problem(familySettings { $0.sparsity = .kl(target: 0.1, weight: 1) }, image: image)
                == .klSparsityNeedsSigmoidCode)
        #expect(
            ModelKind.ae.problem(familySettings { $0.contractive = 1 }, image: image)
                == .contractionNeedsOneLayerEncoder)
        #expect(
            ModelKind.ae.problem(
                familySettings {
                    $0.hiddenSizes = []; $0.contractive = 1
                }, image: image) == nil)
        #expect(
            ModelKind.ae.problem(
                familySettings {
                    $0.architecture = .conv; $0.hiddenSizes = [8, 16]; $0.tiedWeights = true
                }, image: image) == .tiedWeightsNeedMLP)
        #expect(
            ModelKind.vae.problem(familySettings { $0.hiddenSizes = [] }, image: image)
                == .noHiddenLayerOutsideMLPAutoencoder)
        #expect(ModelKind.pca.problem(ModelKind.pca.defaultSettings(.conv), image: image) == .pcaIsLinear)
        #expect(
            ModelKind.pca.problem(ModelKind.pca.defaultSettings, image: Shape(3, 64, 64))
                == .pcaImagesTooLarge(pixels: 12_288, maximum: 4096))
        // The library's words name no flag: a script that hits one is not told to use a flag it lacks.
        #expect(!ModelProblem.contractionNeedsOneLayerEncoder.description.contains("--"))
        let old =
            #"{"architecture":"mlp","beta":1,"discriminatorSteps":1,"generatorLoss":"non-saturating","hiddenSizes":[512],"latentDimension":32,"learningRate":0.001}"#
        let decoded = try JSONDecoder().decode(ModelSettings.self, from: Data(old.utf8))
        #expect(decoded == ModelKind.ae.defaultSettings)
        var variant = familySettings {
            $0.corruption = .saltPepper(fraction: 0.25); $0.sparsity = .kl(target: 0.05, weight: 3);
            $0.tiedWeights = true; $0.pretrainEpochs = 2
        }
        variant.codeActivation = .sigmoid
        let roundTrip = try JSONDecoder().decode(ModelSettings.self, from: JSONEncoder().encode(variant))
        #expect(roundTrip == variant)
    }
}
