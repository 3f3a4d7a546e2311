import Datasets
import Foundation
import NN

// PCA as a model with an encoder and a decoder, so that every figure an autoencoder draws works
// for it and the two compare on one footing. With μ the mean and V (K, D) the top K principal
// components of the training images:
//   encode: h = V (x − μ)       a Dense layer with weight V and bias −V μ
//   decode: x̂ = Vᵀ h + μ        a Dense layer with weight Vᵀ and bias μ
// Among all rank-K linear maps this x̂ has the least squared error (Eckart–Young); the error per
// training image is the discarded components' variance, Σ_{k>K} λ_k (N−1)/N. A linear
// autoencoder trained with squared error can at best match it (Baldi & Hornik 1989).
// Fitting is one pass: each "training step" adds a batch to the covariance (dsyrk), the end of
// the epoch solves for the components (dsyevd). Samples decode h ~ N(0, diag(λ_1 … λ_K)), the
// Gaussian the training codes follow to second order.

/// Principal component analysis, fitted exactly, with the `GenerativeModel` interface.
public final class PrincipalComponentModel: GenerativeModel {
    /// The most pixels an image may have: the covariance of 4096 values takes 128 MB in Double.
    public static let maximumInputSize = 4096
    public let name = ModelKind.pca.rawValue
    public let displayName = ModelKind.pca.displayName
    public let latentDimension: Int
    /// x (N, D) → h (N, K): weight V, bias −Vμ.
    public let encoder: Dense
    /// h (N, K) → x̂ (N, D): weight Vᵀ, bias μ.
    public let decoder: Dense
    /// (K) λ_k, the training images' variance along each component.
    public let variances: Tensor
    private let covariance: CovarianceAccumulator
    private let errorLoss = MeanSquaredError(reduction: .sumPerItem)

    /// PCA of images with `inputSize` pixels onto `latentDimension` components (not yet fitted).
    public init(inputSize: Int = 784, latentDimension: Int = 30) {
        precondition(
            latentDimension >= 1 && latentDimension <= inputSize,
            "PCA takes 1 to \(inputSize) components, got \(latentDimension)")
        self.latentDimension = latentDimension
        var unused = SeededGenerator(seed: 0)  // the weights are set by fitting, not drawn
        encoder = Dense(inputSize: inputSize, outputSize: latentDimension, generator: &unused)
        decoder = Dense(inputSize: latentDimension, outputSize: inputSize, generator: &unused)
        for t in [encoder.weight.value, encoder.bias.value, decoder.weight.value, decoder.bias.value] { t.fill(0) }
        variances = Tensor(zeros: [latentDimension])
        covariance = CovarianceAccumulator(dimension: inputSize)
    }

    public var pixelRange: PixelRange { .unit }
    public var reconstructionLoss: ReconstructionLoss { .mse }
    public var lossDescription: String { ReconstructionLoss.mse.description }
    public var samplingDescription: String {
        "Decoded h ~ N(0, diag(λ)), each component's variance on the training set: a Gaussian in the top components' plane."
    }
    /// Fitted exactly, not by an optimizer: `optimizer` does not enter.
    public func configurationJSON(optimizer: String) -> String {
        jsonObject([
            ("model", jsonQuoted(name)), ("components", "\(latentDimension)"),
            ("fit", jsonQuoted("exact: covariance by dsyrk, eigenvectors by dsyevd, in Double")),
            ("loss", jsonQuoted(lossDescription)),
        ])
    }
    /// The encoder's and decoder's weights and biases: fitted in one pass, not by gradient steps.
    public var parameters: [Parameter] { encoder.parameters + decoder.parameters }

    /// One phase with no parameters to optimize: the pass that adds each batch to the covariance.
    public var parameterGroups: [ParameterGroup] { [ParameterGroup(name: "covariance", parameters: [], stateName: "")] }

    public var stateTensors: [NamedTensor] {
        encoder.stateTensors.map { $0.prefixed("encoder") } + decoder.stateTensors.map { $0.prefixed("decoder") }
            + [NamedTensor(name: "variances", value: variances)]
    }

    public func beginEpoch() { covariance.reset() }

    /// Adds the batch to the covariance; the fit comes at the end of the epoch. Returns 0: no
    /// loss exists before the components do.
    public func accumulateGradients(group: Int, batch: Batch, generator: inout SeededGenerator) -> Float {
        covariance.add(batch.images)
        return 0
    }

    /// Fits the components to the epoch's images and reports the training error and the share
    /// of the variance the components keep.
    public func epochMetrics() -> [(Metric, Double)] {
        guard covariance.count > 1 else { return [] }
        let pca = PrincipalComponents(covariance, count: latentDimension)
        let v = pca.components, d = covariance.dimension, k = latentDimension
        encoder.weight.value.assign(v)
        decoder.weight.value.assign(v.transposed())
        decoder.bias.value.assign(pca.mean)
        for c in 0..<k {
            var dot: Float = 0
            for j in 0..<d { dot += v.data[c * d + j] * pca.mean.data[j] }
            encoder.bias.value.data[c] = -dot
            variances.data[c] = pca.variances[c]
        }
        let kept = pca.variances.reduce(0.0) { $0 + Double($1) }
        let n = Double(covariance.count)
        return [
            (.trainLoss, max(pca.totalVariance - kept, 0) * (n - 1) / n),
            (.explainedVariance, kept / max(pca.totalVariance, .leastNormalMagnitude)),
        ]
    }

    /// The squared error of the test images' reconstructions (unclamped: the model's own).
    public func evaluate(_ test: Dataset, generator: inout SeededGenerator) -> [(Metric, Double)] {
        var total = 0.0
        test.forEachChunk(range: .unit) { x in
            total += Double(errorLoss.loss(prediction: decoder(encoder(x)), targets: x)) * Double(x.shape[0])
        }
        let error = total / Double(max(test.count, 1))
        return [(.testLoss, error), (.testReconstruction, error)]
    }

    public var prior: Prior { .standardNormal }
    /// h_k = temperature √λ_k ε_k.
    public func codes(fromPriorDraws draws: Tensor, temperature: Float) -> Tensor {
        let z = draws.copy()
        for r in 0..<draws.shape[0] {
            for k in 0..<latentDimension { z[r, k] *= temperature * variances[k].squareRoot() }
        }
        return z
    }
    public func encode(_ x: Tensor) -> Tensor? { encoder(x).copy() }
    public var decoderNetwork: DecoderNetwork? { DecoderNetwork(network: decoder, output: .clamped) }
    public func decode(_ z: Tensor) -> Tensor { decoder(z).map(ReconstructionLoss.mse.pixel) }
}
