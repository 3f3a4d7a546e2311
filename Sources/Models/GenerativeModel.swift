import Datasets
import Foundation
import NN

/// What the trainer and the gallery need from a model; AE, VAE and GAN each implement it.
public protocol GenerativeModel: AnyObject {
    /// "ae", "vae" or "gan".
    var kind: String { get }
    /// The configuration as JSON: stored in checkpoints and hashed into cache keys.
    var configurationJSON: String { get }
    /// How pixels are scaled for this model's training.
    var pixelRange: PixelRange { get }
    /// Every tensor a checkpoint must hold to continue training exactly: weights, buffers,
    /// optimizer moments.
    var checkpointTensors: [NamedTensor] { get }

    /// Clears the running sums that `epochMetrics` reports.
    func beginEpoch()
    /// One optimisation step on `batch` (pixels in `pixelRange`); returns the loss shown in progress.
    func trainStep(_ batch: Tensor, generator: inout SeededGenerator) -> Float
    /// Named averages over the epoch's steps (`train_loss`, or `d_loss` and `g_loss`).
    func epochMetrics() -> [(String, Double)]
    /// Named figures on held-out data.
    func evaluate(_ test: Dataset, generator: inout SeededGenerator) -> [(String, Double)]
    /// What each reported loss means, for metrics.jsonl and the README.
    var lossDescription: String { get }

    /// The size of the latent code.
    var latentDimension: Int { get }
    /// `count` draws from the prior's standard form, (count, latent): N(0, I) for the VAE and
    /// the GAN, uniform in [-1, 1] for the AE. Fixed draws give comparable samples across epochs.
    func priorDraws(count: Int, generator: inout SeededGenerator) -> Tensor
    /// The standard form's quantile `p` in (0, 1), for regular grids over the latent plane:
    /// the inverse normal CDF (Kingma & Welling's manifold figure) or 2p - 1.
    func priorQuantile(_ p: Float) -> Float
    /// Latent codes from standard-form draws; `temperature` scales their spread.
    func codes(fromPriorDraws draws: Tensor, temperature: Float) -> Tensor
    /// Images in [0, 1] from latent codes (N, latent) → (N, C*H*W).
    func decode(_ codes: Tensor) -> Tensor
    /// Latent codes of images in [0, 1] (the VAE's posterior means); nil for a GAN, which has no encoder.
    func encode(_ images: Tensor) -> Tensor?
}

extension GenerativeModel {
    /// `count` generated images, values in [0, 1].
    public func sample(count: Int, temperature: Float = 1, generator: inout SeededGenerator) -> Tensor {
        decode(codes(fromPriorDraws: priorDraws(count: count, generator: &generator), temperature: temperature))
    }

    /// Reconstructions of images in [0, 1]; nil for a GAN.
    public func reconstruct(_ images: Tensor) -> Tensor? { encode(images).map(decode) }
}

/// A multilayer perceptron: `sizes[0]` inputs through hidden layers of `hiddenActivation` to
/// `sizes.last` outputs with `outputActivation`. The first layer skips dInput when its input is data.
public func multilayerPerceptron(_ sizes: [Int], hidden hiddenActivation: Activation, output outputActivation: Activation = .identity,
                                 inputIsData: Bool, generator: inout SeededGenerator) -> Sequential {
    precondition(sizes.count >= 2, "an MLP needs an input and an output size")
    var layers: [any Layer] = []
    for i in 0..<(sizes.count - 1) {
        let last = i == sizes.count - 2
        let dense = Dense(inputSize: sizes[i], outputSize: sizes[i + 1],
                          activation: last ? outputActivation : hiddenActivation, generator: &generator)
        if i == 0 && inputIsData { dense.computesInputGradient = false }
        layers.append(dense)
    }
    return Sequential(layers)
}

/// Runs `body` over `data` in chunks of `chunk` images as tensors in `range`, for evaluation.
/// The default matches the training batch, so that evaluation reuses the training buffers
/// instead of growing every layer's to a larger chunk.
func forEachChunk(of data: Dataset, chunk: Int = 128, range: PixelRange, _ body: (Tensor) -> Void) {
    let buffer = Tensor(zeros: [min(chunk, max(data.count, 1)), data.imageSize])
    var start = 0
    while start < data.count {
        let end = min(start + chunk, data.count)
        data.fill(buffer, indices: Array(start..<end)[...], range: range)
        body(buffer)
        start = end
    }
}

/// A JSON object with keys in the given order, numbers as given: the stable format of
/// configurations and metrics lines.
public func jsonObject(_ pairs: [(String, String)]) -> String {
    "{" + pairs.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
}

/// A JSON number with enough digits to read back the same Float or Double.
public func jsonNumber(_ x: Double) -> String {
    x.isFinite ? String(format: "%.6g", x) : "null"
}

/// A JSON string literal.
public func jsonQuoted(_ s: String) -> String {
    "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}

/// Element-wise sigmoid of logits into a new tensor: decoder outputs as pixel values.
func sigmoidImages(_ logits: Tensor) -> Tensor { logits.map(stableSigmoid) }
