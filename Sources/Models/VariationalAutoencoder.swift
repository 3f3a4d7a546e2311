import Datasets
import Foundation
import NN

// The variational autoencoder: Kingma & Welling 2013, "Auto-Encoding Variational Bayes".
// N: batch, D: latent dimension.
//   h = encoder(x);  mu = meanHead(h), logVar = logVarianceHead(h)      (N, D) each
//   z = mu + sigma * eps,  sigma = exp(0.5 * logVar),  eps ~ N(0, I)    (reparameterization)
//   loss per image = BCE(decoder(z), x) summed over pixels + beta * KL(N(mu, sigma²) ‖ N(0, I)) summed over units
// averaged over the images of the batch (or the squared error for a Gaussian decoder: `ReconstructionLoss`). Default 784-400-ReLU-(20, 20) | 20-400-ReLU-784, as in
// PyTorch's examples/vae (bench/torch_anchor.py), which reaches 244.3 nats per test image in 10 epochs.

/// A variational autoencoder with a Gaussian encoder and a Bernoulli decoder, from any networks.
public final class VariationalAutoencoder: GenerativeModel {
    public let name: String
    public let displayName: String
    /// x (N, C*H*W) → h (N, hidden)
    public let encoder: any Layer
    /// h → mu (N, D)
    public let meanHead: any Layer
    /// h → logVar (N, D)
    public let logVarianceHead: any Layer
    /// z (N, D) → logits (N, C*H*W)
    public let decoder: any Layer
    public let latentDimension: Int
    /// Weight of the KL term (beta-VAE, Higgins et al. 2017); 1 is the plain VAE.
    public let beta: Float
    /// The decoder's likelihood: Bernoulli (BCE on logits) or Gaussian (squared error on means).
    public let reconstruction: ReconstructionLoss
    public var reconstructionLoss: ReconstructionLoss { reconstruction }
    let reconstructionCriterion: ReconstructionCriterion
    let klDivergence = GaussianKLDivergence(reduction: .sumPerItem)
    private let layers: NamedLayers
    /// Every trained tensor, each once.
    public let parameters: [Parameter]
    // Step buffers, (N, D): the noise, the code, and the gradients into the two heads.
    private var eps: Tensor?, z: Tensor?, dMu: Tensor?, dLogVar: Tensor?, dHidden: Tensor?
    private var sums = (loss: 0.0, reconstruction: 0.0, kl: 0.0), imageCount = 0

    /// A VAE whose `encoder` feeds two heads giving mu and log sigma² of `latentDimension` units,
    /// and whose `decoder` maps codes to logits of the pixels.
    public init(
        encoder: any Layer, meanHead: any Layer, logVarianceHead: any Layer, decoder: any Layer,
        latentDimension: Int, beta: Float = 1, reconstruction: ReconstructionLoss = .bce,
        name: String = "vae", displayName: String = ModelKind.vae.displayName
    ) {
        self.name = name
        self.displayName = displayName
        self.encoder = encoder
        self.meanHead = meanHead
        self.logVarianceHead = logVarianceHead
        self.decoder = decoder
        self.latentDimension = latentDimension
        self.beta = beta
        self.reconstruction = reconstruction
        reconstructionCriterion = reconstruction.criterion()
        layers = NamedLayers([
            ("encoder", encoder), ("meanHead", meanHead), ("logVarianceHead", logVarianceHead), ("decoder", decoder),
        ])
        parameters = layers.parameters
    }

    /// The multilayer default: inputSize-hidden...-ReLU, two Dense heads to the latent, and the
    /// mirrored decoder.
    public convenience init(
        inputSize: Int = 784, hiddenSizes: [Int] = [400], latentDimension: Int = 20, beta: Float = 1,
        reconstruction: ReconstructionLoss = .bce, seed: UInt64
    ) {
        var g = SeededGenerator(seed: seed)
        let encoder = multilayerPerceptron(
            [inputSize] + hiddenSizes, hidden: .relu, output: .relu, inputIsData: true, generator: &g)
        let h = hiddenSizes.last ?? inputSize
        let meanHead = Dense(inputSize: h, outputSize: latentDimension, generator: &g)
        let logVarianceHead = Dense(inputSize: h, outputSize: latentDimension, generator: &g)
        let decoder = multilayerPerceptron(
            [latentDimension] + hiddenSizes.reversed() + [inputSize], hidden: .relu, inputIsData: false, generator: &g)
        self.init(
            encoder: encoder, meanHead: meanHead, logVarianceHead: logVarianceHead, decoder: decoder,
            latentDimension: latentDimension, beta: beta, reconstruction: reconstruction)
    }

    public var pixelRange: PixelRange { .unit }
    public var lossDescription: String {
        (reconstruction == .bce ? "BCE" : "squared error")
            + " summed over pixels + beta * KL summed over latent units, both averaged over images (beta = \(beta))"
    }
    public var samplingDescription: String {
        "Decoded z ~ N(0, I): blurry but plausible, because the KL term makes the prior's whole region decode to something."
    }

    public func configurationJSON(optimizer: String) -> String {
        jsonObject([
            ("model", jsonQuoted(name)), ("encoder", jsonQuoted(encoder.description)),
            ("mean_head", jsonQuoted(meanHead.description)),
            ("log_variance_head", jsonQuoted(logVarianceHead.description)),
            ("decoder", jsonQuoted(decoder.description)),
            ("latent", "\(latentDimension)"), ("beta", jsonNumber(Double(beta))), ("loss", jsonQuoted(lossDescription)),
            ("optimizer", jsonQuoted(optimizer)),
        ])
    }

    public var stateTensors: [NamedTensor] { layers.stateTensors }

    public func beginEpoch() { sums = (0, 0, 0); imageCount = 0 }

    /// The loss per image, reconstruction + β KL, with z = mu + sigma * eps for fresh noise eps.
    public func accumulateGradients(group: Int, batch: Batch, generator: inout SeededGenerator) -> Float {
        let x = batch.images, n = x.shape[0]
        let eps = Tensor.reuse(&self.eps, shape: Shape(n, latentDimension))
        eps.fillNormal(using: &generator)
        let (reconstruction, kl) = accumulateGradients(x, eps: eps)
        let total = reconstruction + beta * kl
        sums.loss += Double(total) * Double(n); sums.reconstruction += Double(reconstruction) * Double(n);
        sums.kl += Double(kl) * Double(n)
        imageCount += n
        return total
    }

    /// Forward and backward for `x` with the noise `eps` given: adds dLoss/dθ to every
    /// parameter's gradient and returns the two terms of the loss (per image).
    func accumulateGradients(_ x: Tensor, eps: Tensor) -> (reconstruction: Float, kl: Float) {
        let n = x.shape[0], d = latentDimension, beta = beta
        let h = encoder.forward(x, training: true)
        let mu = meanHead.forward(h, training: true), logVar = logVarianceHead.forward(h, training: true)
        let z = Tensor.reuse(&self.z, shape: Shape(n, d))
        // z = mu + sigma * eps
        for i in 0..<(n * d) { z.data[i] = mu.data[i] + expf(0.5 * logVar.data[i]) * eps.data[i] }
        let logits = decoder.forward(z, training: true)
        let (reconstruction, dLogits) = reconstructionCriterion.lossAndGradient(output: logits, targets: x)
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

    public func epochMetrics() -> [(Metric, Double)] {
        let n = Double(max(imageCount, 1))
        return [(.trainLoss, sums.loss / n), (.trainReconstruction, sums.reconstruction / n), (.trainKL, sums.kl / n)]
    }

    /// Test loss with z drawn as in training (one sample per image), as PyTorch's example reports it.
    public func evaluate(_ test: Dataset, generator: inout SeededGenerator) -> [(Metric, Double)] {
        var reconstruction = 0.0, kl = 0.0
        test.forEachChunk(range: .unit) { x in
            let n = x.shape[0], d = latentDimension
            let h = encoder(x)
            let mu = meanHead(h), logVar = logVarianceHead(h)
            let z = Tensor(zeros: [n, d])
            for i in 0..<(n * d) { z.data[i] = mu.data[i] + expf(0.5 * logVar.data[i]) * generator.nextNormal() }
            kl += Double(klDivergence.loss(mu: mu, logVar: logVar)) * Double(n)
            reconstruction += Double(reconstructionCriterion.loss(output: decoder(z), targets: x)) * Double(n)
        }
        let n = Double(max(test.count, 1))
        return [
            (.testLoss, (reconstruction + Double(beta) * kl) / n), (.testReconstruction, reconstruction / n),
            (.testKL, kl / n),
        ]
    }

    /// z ~ N(0, I).
    public var prior: Prior { .standardNormal }
    /// z ~ N(0, temperature² I).
    public func codes(fromPriorDraws draws: Tensor, temperature: Float) -> Tensor { draws * temperature }
    /// The posterior means of images in [0, 1].
    public func encode(_ x: Tensor) -> Tensor? { meanHead(encoder(x)).copy() }
    /// The approximate posterior q(z | x) = N(mean, diag(exp(logVariance))) of images in [0, 1],
    /// each (N, latent): what a training step samples z = mean + exp(logVariance / 2) · ε from.
    public func posterior(_ x: Tensor) -> (mean: Tensor, logVariance: Tensor) {
        let h = encoder(x)
        return (meanHead(h).copy(), logVarianceHead(h).copy())
    }
    /// Images (values in [0, 1]) from codes.
    public var decoderNetwork: DecoderNetwork? {
        DecoderNetwork(network: decoder, output: DecoderNetwork.Output(reconstruction))
    }
    public func decode(_ z: Tensor) -> Tensor { decoder(z).map(reconstruction.pixel) }
}
