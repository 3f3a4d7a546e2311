import Datasets
import Foundation
import NN

// Generative adversarial nets: Goodfellow et al. 2014, "Generative Adversarial Nets", Algorithm 1.
// Each iteration: k discriminator steps, each on a fresh real mini-batch and a fresh fake one,
// ascending log D(x) + log(1 - D(G(z))); then one generator step, descending log(1 - D(G(z)))
// (minimax, the paper's) or ascending log D(G(z)) (non-saturating, the paper's practical advice).
// D outputs a logit, so both are binary cross-entropies on logits, averaged over the batch.
// Default G 64-256-LReLU(0.2)-512-LReLU-784-tanh, D 784-512-LReLU-256-LReLU-1 (bench/torch_anchor.py).

/// The generator's objective.
public enum GeneratorLoss: String, Sendable, CaseIterable, Codable {
    /// Minimise -log D(G(z)): strong gradients while D still wins easily.
    case nonSaturating = "non-saturating"
    /// Minimise log(1 - D(G(z))), the minimax game as written; its gradient vanishes early on.
    case minimax
}

/// A generator and a discriminator trained against each other, from any two networks.
public final class GAN: GenerativeModel {
    public let name: String
    public let displayName: String
    /// z (N, latent) → image (N, C*H*W) in [-1, 1]
    public let generator: any Layer
    /// image (N, C*H*W) → logit (N, 1)
    public let discriminator: any Layer
    public let latentDimension: Int
    /// k in Algorithm 1: discriminator updates per generator update.
    public let discriminatorSteps: Int
    public let generatorLoss: GeneratorLoss
    let bce = BinaryCrossEntropyWithLogits(reduction: .mean)
    private let layers: NamedLayers
    private let generatorParameters: [Parameter], discriminatorParameters: [Parameter]
    private var noise: Tensor?, ones: Tensor?, zeros: Tensor?, dMinimax: Tensor?
    /// Discriminator updates since the last generator update; a tensor so that checkpoints carry
    /// it (with k > 1 the count runs across epochs, and a resumed run must continue it).
    private let stepsSinceGeneratorUpdate = Tensor(zeros: [1])
    /// Updates made so far, counted for the tests of Algorithm 1's k.
    public private(set) var discriminatorUpdates = 0, generatorUpdates = 0
    private var sums = (d: 0.0, g: 0.0, realOutput: 0.0, fakeOutput: 0.0), dCount = 0, gCount = 0

    /// A GAN whose `generator` maps `latentDimension` noise units to images in [-1, 1] (tanh)
    /// and whose `discriminator` maps images to one logit; the trainer gives each its own
    /// optimizer. `discriminatorSteps` is Algorithm 1's k (at least 1).
    public init(
        generator: any Layer, discriminator: any Layer, latentDimension: Int, discriminatorSteps: Int = 1,
        generatorLoss: GeneratorLoss = .nonSaturating, name: String = "gan",
        displayName: String = ModelKind.gan.displayName
    ) {
        precondition(discriminatorSteps >= 1, "k must be at least 1")
        self.name = name
        self.displayName = displayName
        self.generator = generator
        self.discriminator = discriminator
        self.latentDimension = latentDimension
        self.discriminatorSteps = discriminatorSteps
        self.generatorLoss = generatorLoss
        layers = NamedLayers([("generator", generator), ("discriminator", discriminator)])
        generatorParameters = NamedLayers([("generator", generator)]).parameters
        discriminatorParameters = NamedLayers([("discriminator", discriminator)]).parameters
    }

    /// The multilayer default: G latent-hidden...-LeakyReLU(0.2)-image-tanh, D image-hidden...-LeakyReLU(0.2)-1.
    public convenience init(
        imageSize: Int = 784, latentDimension: Int = 64, generatorHiddenSizes: [Int] = [256, 512],
        discriminatorHiddenSizes: [Int] = [512, 256], discriminatorSteps: Int = 1,
        generatorLoss: GeneratorLoss = .nonSaturating, seed: UInt64
    ) {
        var g = SeededGenerator(seed: seed)
        let generator = multilayerPerceptron(
            [latentDimension] + generatorHiddenSizes + [imageSize], hidden: .leakyReLU(slope: 0.2),
            output: .tanh, inputIsData: true, generator: &g)
        let discriminator = multilayerPerceptron(
            [imageSize] + discriminatorHiddenSizes + [1], hidden: .leakyReLU(slope: 0.2),
            inputIsData: false, generator: &g)
        self.init(
            generator: generator, discriminator: discriminator, latentDimension: latentDimension,
            discriminatorSteps: discriminatorSteps,
            generatorLoss: generatorLoss)
    }

    public var pixelRange: PixelRange { .symmetric }
    public var lossDescription: String {
        "d_loss: BCE of D on real (target 1) + BCE on fake (target 0), each averaged over the batch; g_loss: "
            + (generatorLoss == .nonSaturating
                ? "BCE of D on fake with target 1 (-log D(G(z))), averaged over the batch"
                : "log(1 - D(G(z))), averaged over the batch")
    }

    public var samplingDescription: String { "G(z) for z ~ N(0, I): sharp, as the discriminator punishes blur." }

    public func configurationJSON(optimizer: String) -> String {
        jsonObject([
            ("model", jsonQuoted(name)), ("generator", jsonQuoted(generator.description)),
            ("discriminator", jsonQuoted(discriminator.description)), ("latent", "\(latentDimension)"),
            ("discriminator_steps", "\(discriminatorSteps)"), ("generator_loss", jsonQuoted(generatorLoss.rawValue)),
            ("loss", jsonQuoted(lossDescription)), ("optimizer", jsonQuoted(optimizer)),
        ])
    }

    public var parameters: [Parameter] { generatorParameters + discriminatorParameters }

    public var stateTensors: [NamedTensor] {
        layers.stateTensors + [NamedTensor(name: "stepsSinceGeneratorUpdate", value: stepsSinceGeneratorUpdate)]
    }

    /// Index of the generator's group in `parameterGroups`.
    public static let generatorGroup = 0
    /// Index of the discriminator's group in `parameterGroups`.
    public static let discriminatorGroup = 1

    /// The generator's and the discriminator's parameters, each group with an optimizer of its own.
    public var parameterGroups: [ParameterGroup] {
        [
            ParameterGroup(name: "generator", parameters: generatorParameters, stateName: "generatorOptimizer"),
            ParameterGroup(
                name: "discriminator", parameters: discriminatorParameters, stateName: "discriminatorOptimizer"),
        ]
    }

    /// Algorithm 1's order: the discriminator's update, then (every k-th time) the generator's.
    public var phaseOrder: [Int] { [GAN.discriminatorGroup, GAN.generatorGroup] }

    public func beginEpoch() { sums = (0, 0, 0, 0); dCount = 0; gCount = 0 }

    /// The discriminator every batch; the generator once k discriminator updates have passed
    /// since its last (the count runs across epochs and is kept in checkpoints).
    public func updates(group: Int) -> Bool {
        group == GAN.discriminatorGroup || Int(stepsSinceGeneratorUpdate[0]) >= discriminatorSteps
    }

    /// The discriminator's phase on the real batch (returns its loss), or the generator's on a
    /// fresh batch of noise of the same size (returns its loss).
    public func accumulateGradients(group: Int, batch: Batch, generator random: inout SeededGenerator) -> Float {
        let x = batch.images
        if group == GAN.discriminatorGroup {
            let dLoss = discriminatorPhase(real: x, random: &random)
            stepsSinceGeneratorUpdate[0] += 1
            return dLoss
        }
        stepsSinceGeneratorUpdate[0] = 0
        return generatorPhase(batchSize: x.shape[0], random: &random)
    }

    func labels(_ n: Int) -> (ones: Tensor, zeros: Tensor) {
        let one = Tensor.reuse(&ones, shape: Shape(n, 1)), zero = Tensor.reuse(&zeros, shape: Shape(n, 1))
        one.fill(1); zero.fill(0)
        return (one, zero)
    }

    func fakes(_ n: Int, random: inout SeededGenerator, training: Bool) -> Tensor {
        let z = Tensor.reuse(&noise, shape: Shape(n, latentDimension))
        z.fillNormal(using: &random)
        return generator.forward(z, training: training)
    }

    /// Ascend log D(x) + log(1 - D(G(z))): minimise BCE(D(x), 1) + BCE(D(G(z)), 0).
    func discriminatorPhase(real x: Tensor, random: inout SeededGenerator) -> Float {
        let n = x.shape[0]
        let (one, zero) = labels(n)
        discriminator.computesInputGradient = false  // D's step needs no gradient into images
        let realLogits = discriminator.forward(x, training: true)
        sums.realOutput += meanSigmoid(realLogits)
        let (realLoss, dReal) = bce.lossAndGradient(logits: realLogits, targets: one)
        _ = discriminator.backward(dReal)
        let fake = fakes(n, random: &random, training: true)
        let fakeLogits = discriminator.forward(fake, training: true)
        sums.fakeOutput += meanSigmoid(fakeLogits)
        let (fakeLoss, dFake) = bce.lossAndGradient(logits: fakeLogits, targets: zero)
        _ = discriminator.backward(dFake)
        discriminator.computesInputGradient = true
        discriminatorUpdates += 1
        sums.d += Double(realLoss + fakeLoss); dCount += 1
        return realLoss + fakeLoss
    }

    /// The generator's loss and gradients. D passes the gradient through to G's output and
    /// makes none of its own: D's weight gradients would be thrown away (PyTorch's reference
    /// loop makes them, about 8% of the GAN's multiply-adds).
    func generatorPhase(batchSize n: Int, random: inout SeededGenerator) -> Float {
        let (one, zero) = labels(n)
        discriminator.computesParameterGradients = false
        defer { discriminator.computesParameterGradients = true }
        let fakeLogits = discriminator.forward(fakes(n, random: &random, training: true), training: true)
        let value: Float, dLogits: Tensor
        switch generatorLoss {
        case .nonSaturating:
            (value, dLogits) = bce.lossAndGradient(logits: fakeLogits, targets: one)
        case .minimax:
            // log(1 - D(G(z))) = -BCE(D(G(z)), 0): the same loss with its sign turned.
            let (loss, gradient) = bce.lossAndGradient(logits: fakeLogits, targets: zero)
            let negated = Tensor.reuse(&dMinimax, shape: gradient.shape)
            for i in 0..<gradient.count { negated.data[i] = -gradient.data[i] }
            (value, dLogits) = (-loss, negated)
        }
        _ = generator.backward(discriminator.backward(dLogits))
        generatorUpdates += 1
        sums.g += Double(value); gCount += 1
        return value
    }

    private func meanSigmoid(_ logits: Tensor) -> Double {
        var s = 0.0
        for i in 0..<logits.count { s += Double(stableSigmoid(logits.data[i])) }
        return s / Double(max(logits.count, 1))
    }

    public func epochMetrics() -> [(Metric, Double)] {
        [
            (.dLoss, sums.d / Double(max(dCount, 1))), (.gLoss, sums.g / Double(max(gCount, 1))),
            (.dReal, sums.realOutput / Double(max(dCount, 1))), (.dFake, sums.fakeOutput / Double(max(dCount, 1))),
        ]
    }

    /// D's losses and mean outputs on the test images and as many fresh fakes.
    public func evaluate(_ test: Dataset, generator random: inout SeededGenerator) -> [(Metric, Double)] {
        var dLoss = 0.0, gLoss = 0.0, realOutput = 0.0, fakeOutput = 0.0
        test.forEachChunk(range: .symmetric) { x in
            let n = x.shape[0]
            let one = Tensor(shape: [n, 1], repeating: 1), zero = Tensor(zeros: [n, 1])
            let realLogits = discriminator(x).copy()
            let fakeLogits = discriminator(fakes(n, random: &random, training: false))
            dLoss +=
                Double(bce.loss(logits: realLogits, targets: one) + bce.loss(logits: fakeLogits, targets: zero))
                * Double(n)
            gLoss +=
                Double(
                    generatorLoss == .nonSaturating
                        ? bce.loss(logits: fakeLogits, targets: one)
                        : -bce.loss(logits: fakeLogits, targets: zero)) * Double(n)
            realOutput += meanSigmoid(realLogits) * Double(n)
            fakeOutput += meanSigmoid(fakeLogits) * Double(n)
        }
        let n = Double(max(test.count, 1))
        return [
            (.testDLoss, dLoss / n), (.testGLoss, gLoss / n), (.testDReal, realOutput / n),
            (.testDFake, fakeOutput / n),
        ]
    }

    /// z ~ N(0, I).
    public var prior: Prior { .standardNormal }
    /// z ~ N(0, temperature² I).
    public func codes(fromPriorDraws draws: Tensor, temperature: Float) -> Tensor { draws * temperature }
    /// G(z) mapped from [-1, 1] to [0, 1].
    public var decoderNetwork: DecoderNetwork? { DecoderNetwork(network: generator, output: .symmetric) }
    public func decode(_ z: Tensor) -> Tensor { generator(z).map { ($0 + 1) / 2 } }
    /// A GAN has no encoder.
    public func encode(_ images: Tensor) -> Tensor? { nil }
}
