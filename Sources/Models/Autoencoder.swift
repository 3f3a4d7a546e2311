import Datasets
import Foundation
import NN

// A plain (undercomplete) autoencoder: x → encoder → code z (bottleneck) → decoder → x̂.
// Rumelhart, Hinton & Williams 1986; Hinton & Salakhutdinov 2006, "Reducing the Dimensionality
// of Data with Neural Networks". Loss: BCE(sigmoid(logits), x), summed over pixels, averaged
// over images. Default 784-512-ReLU-32 | 32-512-ReLU-784 (PyTorch reference: bench/torch_anchor.py).
// Sampling from random codes, each unit uniform between the min and max seen in training (over
// the last epoch's batches), shows why a plain AE generates poorly: nothing makes the space
// between codes decode to images.

/// A plain autoencoder with a bottleneck, from any encoder and decoder.
public final class Autoencoder: GenerativeModel {
    public let name: String
    public let displayName: String
    /// x (N, C*H*W) → z (N, latent)
    public let encoder: any Layer
    /// z (N, latent) → logits (N, C*H*W)
    public let decoder: any Layer
    public let latentDimension: Int
    /// Per code unit, the smallest and largest value seen on the training set (for sampling).
    public let codeMinimum: Tensor
    public let codeMaximum: Tensor
    public let optimizer: any Optimizer
    private let optimizerDescription: String
    let loss = BinaryCrossEntropyWithLogits(reduction: .sumPerItem)
    private let layers: NamedLayers
    private let parameters: [Parameter]
    private var lossSum = 0.0, imageCount = 0
    private let epochCodeMinimum: Tensor, epochCodeMaximum: Tensor

    /// An autoencoder whose `encoder` maps images to `latentDimension` code units and whose
    /// `decoder` maps codes to logits of the pixels; `optimizer` is built over their parameters.
    public init(encoder: any Layer, decoder: any Layer, latentDimension: Int, optimizer: OptimizerFactory = .adam(),
                name: String = "ae", displayName: String = ModelKind.ae.displayName) {
        self.name = name
        self.displayName = displayName
        self.encoder = encoder
        self.decoder = decoder
        self.latentDimension = latentDimension
        layers = NamedLayers([("encoder", encoder), ("decoder", decoder)])
        parameters = layers.parameters
        self.optimizer = optimizer(parameters)
        optimizerDescription = optimizer.description
        codeMinimum = Tensor(shape: [latentDimension], repeating: -1)
        codeMaximum = Tensor(shape: [latentDimension], repeating: 1)
        epochCodeMinimum = Tensor(zeros: [latentDimension])
        epochCodeMaximum = Tensor(zeros: [latentDimension])
    }

    /// The multilayer default: inputSize-hidden...-ReLU-latent, mirrored for the decoder.
    public convenience init(inputSize: Int = 784, hiddenSizes: [Int] = [512], latentDimension: Int = 32,
                            learningRate: Float = 1e-3, seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        let encoder = multilayerPerceptron([inputSize] + hiddenSizes + [latentDimension], hidden: .relu, inputIsData: true, generator: &g)
        let decoder = multilayerPerceptron([latentDimension] + hiddenSizes.reversed() + [inputSize], hidden: .relu, inputIsData: false, generator: &g)
        self.init(encoder: encoder, decoder: decoder, latentDimension: latentDimension, optimizer: .adam(learningRate: learningRate))
    }

    public var pixelRange: PixelRange { .unit }
    public var lossDescription: String { "BCE " + loss.reduction.describe(value: "pixels", item: "images") }
    public var samplingDescription: String {
        "Decoded random codes, each unit uniform between its minimum and maximum in training: a plain AE's codes leave gaps that decode to poor images."
    }

    public var configurationJSON: String {
        jsonObject([("model", jsonQuoted(name)), ("encoder", jsonQuoted(encoder.description)), ("decoder", jsonQuoted(decoder.description)),
                    ("latent", "\(latentDimension)"), ("loss", jsonQuoted(lossDescription)), ("optimizer", jsonQuoted(optimizerDescription))])
    }

    public var checkpointTensors: [NamedTensor] {
        layers.stateTensors
            + [NamedTensor(name: "codeMinimum", value: codeMinimum), NamedTensor(name: "codeMaximum", value: codeMaximum)]
            + optimizer.state.map { $0.prefixed("optimizer") }
    }

    public func beginEpoch() {
        lossSum = 0; imageCount = 0
        epochCodeMinimum.fill(.infinity); epochCodeMaximum.fill(-.infinity)
    }

    public func trainStep(_ batch: Batch, generator: inout SeededGenerator) -> Float {
        let x = batch.images
        parameters.zeroGradients()
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

    /// The test loss, and the reconstruction term on its own (the same number for this plain
    /// AE; a regularised one adds its penalty to the loss only).
    public func evaluate(_ test: Dataset, generator: inout SeededGenerator) -> [(String, Double)] {
        var total = 0.0
        test.forEachChunk(range: .unit) { x in
            total += Double(loss.loss(logits: decoder(encoder(x)), targets: x)) * Double(x.shape[0])
        }
        let reconstruction = total / Double(max(test.count, 1))
        return [("test_loss", reconstruction), ("test_reconstruction", reconstruction)]
    }

    /// Uniform draws in [-1, 1], mapped onto each unit's training range by `codes(fromPriorDraws:)`.
    public var prior: Prior { .uniform }

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
    public var decoderNetwork: DecoderNetwork? { DecoderNetwork(network: decoder, output: .logits) }
    public func decode(_ z: Tensor) -> Tensor { sigmoidImages(decoder(z)) }
}
