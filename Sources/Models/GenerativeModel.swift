import Datasets
import NN

/// Where a generative model's codes come from when it samples.
public enum Prior: Sendable {
    /// z ~ N(0, I): the VAE's prior and the GAN's noise.
    case standardNormal
    /// Each unit uniform in [-1, 1], which the model maps onto its own range (the plain AE's
    /// training codes).
    case uniform

    /// `count` draws of `dimension` units, (count, dimension).
    public func draws(count: Int, dimension: Int, generator: inout SeededGenerator) -> Tensor {
        switch self {
        case .standardNormal: return Tensor.normal(Shape(count, dimension), using: &generator)
        case .uniform: return Tensor.uniform(Shape(count, dimension), low: -1, high: 1, using: &generator)
        }
    }

    /// The quantile `p` in (0, 1) of one unit, for regular grids over the latent plane: the
    /// inverse normal CDF (Kingma & Welling's manifold figure) or 2p - 1.
    public func quantile(_ p: Float) -> Float {
        switch self {
        case .standardNormal: return inverseNormalCDF(p)
        case .uniform: return 2 * p - 1
        }
    }
}

/// A trainable model that decodes latent codes into images: what the gallery draws from.
public protocol GenerativeModel: TrainableModel {
    /// The size of the latent code.
    var latentDimension: Int { get }
    /// The distribution `sample` draws codes from, before `codes(fromPriorDraws:temperature:)`.
    var prior: Prior { get }
    /// Latent codes from prior draws; `temperature` scales their spread.
    func codes(fromPriorDraws draws: Tensor, temperature: Float) -> Tensor
    /// Images in [0, 1] from latent codes (N, latent) → (N, C*H*W).
    func decode(_ codes: Tensor) -> Tensor
    /// Latent codes of images in [0, 1] (the VAE's posterior means); nil for a model with no
    /// encoder (a GAN).
    func encode(_ images: Tensor) -> Tensor?
    /// One sentence on how samples are made and what they show, for captions.
    var samplingDescription: String { get }
    /// How its reconstructions are scored: the error under each reconstruction in figures.
    var reconstructionLoss: ReconstructionLoss { get }
    /// The one network `decode` runs and how its output becomes pixels, for running the decoder
    /// elsewhere (the live explorer's page); nil when decoding is not one network.
    var decoderNetwork: DecoderNetwork? { get }
}

/// A decoder as one network plus the map from its output to pixels in [0, 1].
public struct DecoderNetwork {
    /// How the network's output becomes a pixel value.
    public enum Output: String, Sendable {
        /// Logits: pixel = sigmoid(output) (AE, VAE).
        case logits
        /// tanh outputs in [-1, 1]: pixel = (output + 1) / 2 (GAN).
        case symmetric
        /// Pixel means (a Gaussian likelihood, or PCA): pixel = output clamped into [0, 1].
        case clamped

        /// How the output of a decoder trained with `loss` becomes a pixel.
        public init(_ loss: ReconstructionLoss) { self = loss == .bce ? .logits : .clamped }
    }
    public let network: any Layer
    public let output: Output

    public init(network: any Layer, output: Output) {
        self.network = network
        self.output = output
    }
}

extension GenerativeModel {
    public var decoderNetwork: DecoderNetwork? { nil }
    public var reconstructionLoss: ReconstructionLoss { .bce }

    /// `count` draws from the prior, (count, latent). Fixed draws give comparable samples across epochs.
    public func priorDraws(count: Int, generator: inout SeededGenerator) -> Tensor {
        prior.draws(count: count, dimension: latentDimension, generator: &generator)
    }

    /// `count` generated images, values in [0, 1].
    public func sample(count: Int, temperature: Float = 1, generator: inout SeededGenerator) -> Tensor {
        decodedInChunks(
            codes(fromPriorDraws: priorDraws(count: count, generator: &generator), temperature: temperature))
    }

    /// `decode`, 256 codes at a time: the judge's 10,000 samples decoded at once sized every
    /// layer's buffers for 10,000 images (a DCGAN's batch norm alone hundreds of MB), and the
    /// kernel's zeroing of those fresh pages took longer than the decoding. Each image's decoding
    /// is its own (no layer mixes images outside training), so the images are those of one pass,
    /// up to the last bit where the BLAS orders a product's sums differently for fewer rows.
    public func decodedInChunks(_ codes: Tensor) -> Tensor {
        let n = codes.shape[0], chunkSize = 256
        guard n > chunkSize else { return decode(codes) }
        var output: Tensor?
        for start in stride(from: 0, to: n, by: chunkSize) {
            let images = decode(codes.rows(start..<min(start + chunkSize, n)))
            let whole = output ?? Tensor(zeros: Shape([n] + (1..<images.shape.rank).map { images.shape[$0] }))
            (whole.data + start * images.shape.countPerItem).update(from: images.data, count: images.count)
            output = whole
        }
        return output!
    }

    /// Reconstructions of images in [0, 1]; nil for a model with no encoder.
    public func reconstruct(_ images: Tensor) -> Tensor? { encode(images).map(decode) }
}
