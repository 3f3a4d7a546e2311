import Datasets
import Foundation
import NN

// A plain (undercomplete) autoencoder: x → encoder → code z (bottleneck) → decoder → x̂.
// Rumelhart, Hinton & Williams 1986; Hinton & Salakhutdinov 2006, "Reducing the Dimensionality
// of Data with Neural Networks". Loss: BCE(sigmoid(logits), x), summed over pixels, averaged
// over images. Default 784-512-ReLU-32 | 32-512-ReLU-784 (PyTorch reference: bench/torch_anchor.py).
// Sampling from random codes, each unit uniform between the min and max seen in training (over
// the last epoch's batches), shows
// why a plain AE generates poorly: nothing makes the space between codes decode to images.

/// What the AE's and the VAE's configurations share: a mirrored MLP around a latent code.
public protocol AutoencoderShape {
    var inputSize: Int { get set }
    var hiddenSizes: [Int] { get set }
    var latentDimension: Int { get set }
    var learningRate: Float { get set }
}

/// The plain autoencoder's shape and training settings.
public struct AutoencoderConfiguration: AutoencoderShape, Equatable, Sendable {
    public var inputSize = 784
    public var hiddenSizes = [512]
    public var latentDimension = 32
    public var learningRate: Float = 1e-3

    public init() {}
}

/// A plain autoencoder with a bottleneck.
public final class Autoencoder: GenerativeModel {
    public let configuration: AutoencoderConfiguration
    /// x (N, 784) → z (N, latent)
    public let encoder: Sequential
    /// z (N, latent) → logits (N, 784)
    public let decoder: Sequential
    /// Per code unit, the smallest and largest value seen on the training set (for sampling).
    public let codeMinimum: Tensor
    public let codeMaximum: Tensor
    let optimizer: Adam
    let loss = BinaryCrossEntropyWithLogits(reduction: .sumPerItem)
    private var lossSum = 0.0, imageCount = 0
    private let epochCodeMinimum: Tensor, epochCodeMaximum: Tensor

    public init(_ configuration: AutoencoderConfiguration, seed: UInt64) {
        self.configuration = configuration
        var g = SeededGenerator(seed: seed)
        let c = configuration
        encoder = multilayerPerceptron([c.inputSize] + c.hiddenSizes + [c.latentDimension], hidden: .relu, inputIsData: true, generator: &g)
        decoder = multilayerPerceptron([c.latentDimension] + c.hiddenSizes.reversed() + [c.inputSize], hidden: .relu, inputIsData: false, generator: &g)
        codeMinimum = Tensor(shape: [c.latentDimension], repeating: -1)
        codeMaximum = Tensor(shape: [c.latentDimension], repeating: 1)
        epochCodeMinimum = Tensor(zeros: [c.latentDimension])
        epochCodeMaximum = Tensor(zeros: [c.latentDimension])
        optimizer = Adam(parameters: encoder.parameters.map { $0.prefixed("encoder") } + decoder.parameters.map { $0.prefixed("decoder") },
                         learningRate: c.learningRate)
    }

    public var kind: String { "ae" }
    public var pixelRange: PixelRange { .unit }
    public var lossDescription: String { "BCE summed over pixels, averaged over images" }

    public var configurationJSON: String {
        let c = configuration
        return jsonObject([("model", "\"ae\""), ("input", "\(c.inputSize)"), ("hidden", "\(c.hiddenSizes)"),
                           ("latent", "\(c.latentDimension)"), ("learning_rate", jsonNumber(Double(c.learningRate)))])
    }

    public var checkpointTensors: [NamedTensor] {
        encoder.stateTensors.map { $0.prefixed("encoder") } + decoder.stateTensors.map { $0.prefixed("decoder") }
            + [NamedTensor(name: "codeMinimum", value: codeMinimum), NamedTensor(name: "codeMaximum", value: codeMaximum)]
            + optimizer.state.map { $0.prefixed("optimizer") }
    }

    public func beginEpoch() {
        lossSum = 0; imageCount = 0
        epochCodeMinimum.fill(.infinity); epochCodeMaximum.fill(-.infinity)
    }

    public func trainStep(_ x: Tensor, generator: inout SeededGenerator) -> Float {
        optimizer.zeroGradients()
        let z = encoder.forward(x, training: true)
        // The codes seen in training, for sampling: tracked here, where they are computed anyway.
        for n in 0..<z.shape[0] {
            for j in 0..<latentDimension {
                epochCodeMinimum[j] = min(epochCodeMinimum[j], z[n, j])
                epochCodeMaximum[j] = max(epochCodeMaximum[j], z[n, j])
            }
        }
        let logits = decoder.forward(z, training: true)
        let (value, dLogits) = loss.lossAndGradient(logits: logits, targets: x)
        _ = encoder.backward(decoder.backward(dLogits))
        optimizer.step()
        lossSum += Double(value) * Double(x.shape[0]); imageCount += x.shape[0]
        return value
    }

    /// Also adopts the epoch's code ranges for sampling.
    public func epochMetrics() -> [(String, Double)] {
        if imageCount > 0 { codeMinimum.assign(epochCodeMinimum); codeMaximum.assign(epochCodeMaximum) }
        return [("train_loss", lossSum / Double(max(imageCount, 1)))]
    }

    public func evaluate(_ test: Dataset, generator: inout SeededGenerator) -> [(String, Double)] {
        var total = 0.0
        forEachChunk(of: test, range: .unit) { x in
            total += Double(loss.loss(logits: decoder(encoder(x)), targets: x)) * Double(x.shape[0])
        }
        return [("test_loss", total / Double(max(test.count, 1)))]
    }

    public var latentDimension: Int { configuration.latentDimension }

    /// Uniform in [-1, 1]: mapped onto each unit's training range by `codes(fromPriorDraws:)`.
    public func priorDraws(count: Int, generator: inout SeededGenerator) -> Tensor {
        Tensor.uniform([count, latentDimension], low: -1, high: 1, using: &generator)
    }

    public func priorQuantile(_ p: Float) -> Float { 2 * p - 1 }

    /// Each unit uniform between the minimum and maximum code seen in training (the lecture's
    /// recipe); `temperature` shrinks or widens the interval around its middle.
    public func codes(fromPriorDraws draws: Tensor, temperature: Float) -> Tensor {
        let z = Tensor(zeros: draws.shape)
        for n in 0..<draws.shape[0] {
            for j in 0..<latentDimension {
                let middle = (codeMinimum[j] + codeMaximum[j]) / 2, half = (codeMaximum[j] - codeMinimum[j]) / 2
                z[n, j] = middle + half * temperature * draws[n, j]
            }
        }
        return z
    }

    /// Codes of images in [0, 1].
    public func encode(_ x: Tensor) -> Tensor? { encoder(x).copy() }
    /// Images (values in [0, 1]) from codes.
    public func decode(_ z: Tensor) -> Tensor { sigmoidImages(decoder(z)) }
}
