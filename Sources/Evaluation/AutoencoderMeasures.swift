import Datasets
import Foundation
import Models
import NN

// What the lectures claim of each autoencoder variant, measured on test images through any
// model's `encode` and `decode` (so an AE, a VAE and PCA are measured alike). Errors are squared
// errors of pixels in [0, 1], averaged over pixels and images (MSE per pixel): comparable across
// losses, unlike each model's own loss.

/// Test-set measures of a model with an encoder.
public struct AutoencoderMeasures: Sendable {
    /// The Gaussian noise the denoising measure adds: σ = 0.5, the setting.
    public static let denoisingCorruption = Corruption.gaussian(sigma: 0.5)
    /// The per-pixel standard deviation of the small perturbations δ of the contraction measure.
    public static let perturbation: Float = 0.01
    /// A code value counted as "off" when its magnitude is below this.
    public static let inactiveThreshold: Float = 0.05

    /// Images measured.
    public var images = 0
    /// MSE per pixel of decode(encode(x)) against x.
    public var reconstructionMSE = 0.0
    /// MSE per pixel of the noisy input x̃ = x + 0.5 ε against x.
    public var noisyInputMSE = 0.0
    /// MSE per pixel of decode(encode(x̃)) against the clean x.
    public var denoisedMSE = 0.0
    /// Mean over images of ‖f(x + δ) − f(x)‖ / ‖δ‖, δ ~ N(0, 0.01² I): how much the code moves
    /// per unit of input change (the contractive AE makes it small).
    public var contraction = 0.0
    /// Mean over images of ‖g(f(x + δ)) − g(f(x))‖ / ‖δ‖ for the same δ: how much the output moves
    /// per unit of input change (a denoising AE's decoder pulls nearby inputs back to one image).
    public var outputContraction = 0.0
    /// Mean code value, and mean magnitude.
    public var meanCode = 0.0, meanCodeMagnitude = 0.0
    /// Share of code values with magnitude below 0.05.
    public var inactiveShare = 0.0
    /// MSE per pixel of decode(encode(u)) against u for images of uniform noise u: as low as
    /// `reconstructionMSE` means the model copies anything rather than modelling clothes.
    public var noiseReconstructionMSE = 0.0

    /// The same measures image by image (test image i, and the i-th noise image), so that a
    /// difference between two models can be resampled image by image (a bootstrap interval):
    /// `reconstruction`, `noisyInput`, `denoised`, `contraction`, `outputContraction`, `inactive`
    /// (each image's share of code values below 0.05), `noiseReconstruction`.
    public var perImage: [String: [Double]] = [:]

    /// The measures by name, for measures.json and reports.
    public var entries: [(String, Double)] {
        [
            ("images", Double(images)), ("reconstruction_mse", reconstructionMSE), ("noisy_input_mse", noisyInputMSE),
            ("denoised_mse", denoisedMSE), ("contraction", contraction), ("output_contraction", outputContraction),
            ("mean_code", meanCode),
            ("mean_code_magnitude", meanCodeMagnitude),
            ("inactive_share", inactiveShare), ("noise_reconstruction_mse", noiseReconstructionMSE),
        ]
    }

    /// What each measure is, for reports.
    public static let explanations: [String: String] = [
        "reconstruction_mse": "MSE per pixel, reconstruction of clean test images",
        "noisy_input_mse": "MSE per pixel, the noisy input (Gaussian σ = 0.5) against the clean image",
        "denoised_mse": "MSE per pixel, the reconstruction of the noisy input against the clean image",
        "contraction": "mean ‖f(x + δ) − f(x)‖ / ‖δ‖ over test images, δ ~ N(0, 0.01² I)",
        "output_contraction": "mean ‖g(f(x + δ)) − g(f(x))‖ / ‖δ‖ over test images, the same δ",
        "mean_code": "mean code value", "mean_code_magnitude": "mean |code value|",
        "inactive_share": "share of code values with |h| < 0.05",
        "noise_reconstruction_mse":
            "MSE per pixel, reconstruction of uniform-noise images (as low as on clothes: the model copies)",
    ]

    /// Measures `model` on the first `count` images of `test` (all by default); nil for a model
    /// with no encoder. Noise is drawn from `seed`: the same seed gives the same numbers.
    public static func measure(_ model: any GenerativeModel, test: Dataset, count: Int? = nil, seed: UInt64 = 0)
        -> AutoencoderMeasures?
    {
        let n = min(count ?? test.count, test.count)
        guard n > 0 else { return nil }
        var random = SeededGenerator(seed: seed ^ 0x3EA5_04E5)
        var m = AutoencoderMeasures()
        var codeValues = 0.0, inactive = 0.0
        var start = 0
        while start < n {
            let x = test.images(Array(start..<min(start + 256, n)), range: .unit)
            let rows = x.shape[0]
            // The draws in a fixed order (noise, perturbation, noise images), so one seed gives one set of numbers.
            let noisy = denoisingCorruption.applied(to: x, generator: &random)
            let delta = Tensor.normal(x.shape, standardDeviation: perturbation, using: &random)
            let noise = Tensor.uniform(x.shape, using: &random)
            guard let h = model.encode(x), let denoised = model.reconstruct(noisy), let moved = model.encode(x + delta),
                let copied = model.reconstruct(noise)
            else { return nil }  // no encoder (a GAN): nothing to measure
            for v in h.buffer {
                m.meanCode += Double(v); m.meanCodeMagnitude += Double(abs(v))
                if abs(v) < inactiveThreshold { inactive += 1 }
            }
            codeValues += Double(h.count)
            let size = x.shape.countPerItem, units = h.shape.countPerItem
            let (rebuilt, movedOutput) = (model.decode(h), model.decode(moved))
            for r in 0..<rows {
                var codeChange = 0.0, outputChange = 0.0, inputChange = 0.0, off = 0.0
                for j in 0..<units { let d = Double(moved[r * units + j] - h[r * units + j]); codeChange += d * d }
                for j in 0..<size {
                    let d = Double(delta[r * size + j]), o = Double(movedOutput[r * size + j] - rebuilt[r * size + j])
                    inputChange += d * d
                    outputChange += o * o
                }
                for j in 0..<units where abs(h[r * units + j]) < inactiveThreshold { off += 1 }
                let input = max(inputChange, .leastNormalMagnitude)
                m.perImage["contraction", default: []].append((codeChange / input).squareRoot())
                m.perImage["outputContraction", default: []].append((outputChange / input).squareRoot())
                m.perImage["inactive", default: []].append(off / Double(units))
            }
            m.perImage["reconstruction", default: []] += rowMeanSquaredErrors(rebuilt, x)
            m.perImage["denoised", default: []] += rowMeanSquaredErrors(denoised, x)
            m.perImage["noisyInput", default: []] += rowMeanSquaredErrors(noisy, x)
            m.perImage["noiseReconstruction", default: []] += rowMeanSquaredErrors(copied, noise)
            start += rows
        }
        m.images = n
        // Each figure is the mean of its per-image values.
        let perImage = m.perImage
        func mean(_ figure: String) -> Double { perImage[figure, default: []].reduce(0, +) / Double(n) }
        (m.reconstructionMSE, m.noisyInputMSE, m.denoisedMSE) = (
            mean("reconstruction"), mean("noisyInput"), mean("denoised")
        )
        (m.contraction, m.outputContraction, m.noiseReconstructionMSE) = (
            mean("contraction"), mean("outputContraction"), mean("noiseReconstruction")
        )
        m.meanCode /= codeValues; m.meanCodeMagnitude /= codeValues
        m.inactiveShare = inactive / codeValues
        return m
    }
}

/// Each row's mean of (a − b)², in Double.
public func rowMeanSquaredErrors(_ a: Tensor, _ b: Tensor) -> [Double] {
    precondition(a.shape == b.shape, "squared errors of \(a.shape) and \(b.shape)")
    let size = a.shape.countPerItem
    return (0..<a.shape[0]).map { r in
        var total = 0.0
        for i in (r * size)..<((r + 1) * size) { let d = Double(a.data[i] - b.data[i]); total += d * d }
        return total / Double(size)
    }
}

extension AutoencoderMeasures {
    /// Each test image's squared error per pixel, decode(encode(x)) against x, pixels in [0, 1]:
    /// the values `reconstructionMSE` averages, kept apart so a difference between two models
    /// can be resampled image by image (a bootstrap interval).
    public static func perImageMSE(_ model: any GenerativeModel, test: Dataset) -> [Double] {
        var errors: [Double] = []
        test.forEachChunk(of: 1_000, range: .unit) { x in
            guard let rebuilt = model.reconstruct(x) else { return }
            errors += rowMeanSquaredErrors(rebuilt, x)
        }
        return errors
    }
}

/// Σ (a − b)² over every value, in Double (the tests' oracle for summed squared errors).
func squaredError(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(a.shape == b.shape, "squared error of \(a.shape) and \(b.shape)")
    var total = 0.0
    for i in 0..<a.count { let d = Double(a.data[i] - b.data[i]); total += d * d }
    return total
}
