import Datasets
import Foundation
import NN

// The variational autoencoder: Kingma & Welling 2013, "Auto-Encoding Variational Bayes".
// N: batch, D: latent dimension.
//   h = encoder(x);  mu = meanHead(h), logVar = logVarianceHead(h)      (N, D) each
//   z = mu + sigma * eps,  sigma = exp(0.5 * logVar),  eps ~ N(0, I)    (reparameterization)
//   loss per image = BCE(decoder(z), x) summed over pixels + beta * KL(N(mu, sigma²) ‖ N(0, I)) summed over units
// averaged over the images of the batch. Default 784-400-ReLU-(20, 20) | 20-400-ReLU-784, as in
// PyTorch's examples/vae (bench/torch_anchor.py), which reaches 244.3 nats per test image in 10 epochs.

/// The VAE's shape and training settings.
public struct VAEConfiguration: AutoencoderShape, Equatable, Sendable {
    public var inputSize = 784
    public var hiddenSizes = [400]
    public var latentDimension = 20
    /// Weight of the KL term (beta-VAE, Higgins et al. 2017); 1 is the plain VAE.
    public var beta: Float = 1
    public var learningRate: Float = 1e-3

    public init() {}
}

/// A variational autoencoder with a Gaussian encoder and a Bernoulli decoder.
public final class VariationalAutoencoder: GenerativeModel {
    public let configuration: VAEConfiguration
    /// x (N, 784) → h (N, hidden)
    public let encoder: Sequential
    /// h → mu (N, D)
    public let meanHead: Dense
    /// h → logVar (N, D)
    public let logVarianceHead: Dense
    /// z (N, D) → logits (N, 784)
    public let decoder: Sequential
    let optimizer: Adam
    let reconstructionLoss = BinaryCrossEntropyWithLogits(reduction: .sumPerItem)
    let klDivergence = GaussianKLDivergence(reduction: .sumPerItem)
    // Step buffers, (N, D): the noise, the code, and the gradients into the two heads.
    private var eps: Tensor?, z: Tensor?, dMu: Tensor?, dLogVar: Tensor?, dHidden: Tensor?
    private var sums = (loss: 0.0, reconstruction: 0.0, kl: 0.0), imageCount = 0

    public init(_ configuration: VAEConfiguration, seed: UInt64) {
        self.configuration = configuration
        var g = SeededGenerator(seed: seed)
        let c = configuration
        encoder = multilayerPerceptron([c.inputSize] + c.hiddenSizes, hidden: .relu, output: .relu, inputIsData: true, generator: &g)
        let h = c.hiddenSizes.last ?? c.inputSize
        meanHead = Dense(inputSize: h, outputSize: c.latentDimension, generator: &g)
        logVarianceHead = Dense(inputSize: h, outputSize: c.latentDimension, generator: &g)
        decoder = multilayerPerceptron([c.latentDimension] + c.hiddenSizes.reversed() + [c.inputSize], hidden: .relu, inputIsData: false, generator: &g)
        optimizer = Adam(parameters: VariationalAutoencoder.named(encoder, meanHead, logVarianceHead, decoder, \.parameters),
                         learningRate: c.learningRate)
    }

    static func named<T>(_ encoder: Sequential, _ meanHead: Dense, _ logVarianceHead: Dense, _ decoder: Sequential,
                         _ list: (any Layer) -> [T]) -> [T] where T: Prefixable {
        list(encoder).map { $0.prefixed("encoder") } + list(meanHead).map { $0.prefixed("meanHead") }
            + list(logVarianceHead).map { $0.prefixed("logVarianceHead") } + list(decoder).map { $0.prefixed("decoder") }
    }

    public var kind: String { "vae" }
    public var pixelRange: PixelRange { .unit }
    public var lossDescription: String {
        "BCE summed over pixels + beta * KL summed over latent units, both averaged over images (beta = \(configuration.beta))"
    }

    public var configurationJSON: String {
        let c = configuration
        return jsonObject([("model", "\"vae\""), ("input", "\(c.inputSize)"), ("hidden", "\(c.hiddenSizes)"),
                           ("latent", "\(c.latentDimension)"), ("beta", jsonNumber(Double(c.beta))),
                           ("learning_rate", jsonNumber(Double(c.learningRate)))])
    }

    public var checkpointTensors: [NamedTensor] {
        VariationalAutoencoder.named(encoder, meanHead, logVarianceHead, decoder, \.stateTensors)
            + optimizer.state.map { $0.prefixed("optimizer") }
    }

    public func beginEpoch() { sums = (0, 0, 0); imageCount = 0 }

    public func trainStep(_ x: Tensor, generator: inout SeededGenerator) -> Float {
        let n = x.shape[0]
        optimizer.zeroGradients()
        let eps = Tensor.reuse(&self.eps, shape: Shape(n, configuration.latentDimension))
        eps.fillNormal(using: &generator)
        let (reconstruction, kl) = accumulateGradients(x, eps: eps)
        optimizer.step()
        let total = reconstruction + configuration.beta * kl
        sums.loss += Double(total) * Double(n); sums.reconstruction += Double(reconstruction) * Double(n); sums.kl += Double(kl) * Double(n)
        imageCount += n
        return total
    }

    /// Forward and backward for `x` with the noise `eps` given: adds dLoss/dθ to every
    /// parameter's gradient and returns the two terms of the loss (per image).
    func accumulateGradients(_ x: Tensor, eps: Tensor) -> (reconstruction: Float, kl: Float) {
        let n = x.shape[0], d = configuration.latentDimension, beta = configuration.beta
        let h = encoder.forward(x, training: true)
        let mu = meanHead.forward(h, training: true), logVar = logVarianceHead.forward(h, training: true)
        let z = Tensor.reuse(&self.z, shape: Shape(n, d))
        for i in 0..<(n * d) { z.data[i] = mu.data[i] + expf(0.5 * logVar.data[i]) * eps.data[i] }   // z = mu + sigma * eps
        let logits = decoder.forward(z, training: true)
        let (reconstruction, dLogits) = reconstructionLoss.lossAndGradient(logits: logits, targets: x)
        let (kl, klDMu, klDLogVar) = klDivergence.lossAndGradients(mu: mu, logVar: logVar)
        let dZ = decoder.backward(dLogits)
        let dMu = Tensor.reuse(&self.dMu, shape: Shape(n, d)), dLogVar = Tensor.reuse(&self.dLogVar, shape: Shape(n, d))
        for i in 0..<(n * d) {
            // dz/dmu = 1;  dz/dlogVar = 0.5 * sigma * eps
            dMu.data[i] = dZ.data[i] + beta * klDMu.data[i]
            dLogVar.data[i] = dZ.data[i] * 0.5 * expf(0.5 * logVar.data[i]) * eps.data[i] + beta * klDLogVar.data[i]
        }
        let dH = Tensor.reuse(&dHidden, shape: h.shape)
        dH.assign(meanHead.backward(dMu))
        dH.add(logVarianceHead.backward(dLogVar))
        _ = encoder.backward(dH)
        return (reconstruction, kl)
    }

    public func epochMetrics() -> [(String, Double)] {
        let n = Double(max(imageCount, 1))
        return [("train_loss", sums.loss / n), ("train_reconstruction", sums.reconstruction / n), ("train_kl", sums.kl / n)]
    }

    /// Test loss with z drawn as in training (one sample per image), as PyTorch's example reports it.
    public func evaluate(_ test: Dataset, generator: inout SeededGenerator) -> [(String, Double)] {
        var reconstruction = 0.0, kl = 0.0
        forEachChunk(of: test, range: .unit) { x in
            let n = x.shape[0], d = configuration.latentDimension
            let h = encoder(x)
            let mu = meanHead(h), logVar = logVarianceHead(h)
            let z = Tensor(zeros: [n, d])
            for i in 0..<(n * d) { z.data[i] = mu.data[i] + expf(0.5 * logVar.data[i]) * generator.nextNormal() }
            kl += Double(klDivergence.loss(mu: mu, logVar: logVar)) * Double(n)
            reconstruction += Double(reconstructionLoss.loss(logits: decoder(z), targets: x)) * Double(n)
        }
        let n = Double(max(test.count, 1))
        let beta = Double(configuration.beta)
        return [("test_loss", (reconstruction + beta * kl) / n), ("test_reconstruction", reconstruction / n), ("test_kl", kl / n)]
    }

    public var latentDimension: Int { configuration.latentDimension }
    public func priorDraws(count: Int, generator: inout SeededGenerator) -> Tensor {
        Tensor.normal([count, latentDimension], using: &generator)
    }
    public func priorQuantile(_ p: Float) -> Float { inverseNormalCDF(p) }
    /// z ~ N(0, temperature² I).
    public func codes(fromPriorDraws draws: Tensor, temperature: Float) -> Tensor { draws * temperature }
    /// The posterior means of images in [0, 1].
    public func encode(_ x: Tensor) -> Tensor? { meanHead(encoder(x)).copy() }
    /// Images (values in [0, 1]) from codes.
    public func decode(_ z: Tensor) -> Tensor { sigmoidImages(decoder(z)) }
}

/// Something that can be renamed under a prefix: parameters and named tensors.
public protocol Prefixable { func prefixed(_ prefix: String) -> Self }
extension Parameter: Prefixable {}
extension NamedTensor: Prefixable {}
