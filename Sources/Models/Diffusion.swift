import Datasets
import Foundation
import NN

// A denoising diffusion model (Ho et al. 2020, "Denoising Diffusion Probabilistic Models").
// N: batch, D: numbers per item (pixels in [−1, 1], or a point of toy data), T: noising steps.
// Training (Algorithm 1): for each item draw t ~ U{1, …, T} and ε ~ N(0, I), and learn to
// predict ε from x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε (NoiseSchedule):
//   loss = mean over the batch's N · D numbers of (ε̂(x_t, t) − ε)²    (L_simple; PyTorch's MSELoss)
// Sampling walks back from x_T ~ N(0, I), each step through the prediction of the clean item,
//   x̂_0 = (x_t − √(1 − ᾱ_t) · ε̂) / √ᾱ_t     (clipped to [−1, 1] for images),
// either by ancestral sampling (Algorithm 2), a draw from q(x_{t−1} | x_t, x̂_0) at every t,
//   x_{t−1} = √ᾱ_{t−1} β_t / (1 − ᾱ_t) · x̂_0 + √α_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · x_t + σ_t · z,
//   σ_t² = β̃_t = (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · β_t,  z ~ N(0, I) (none at t = 1),
// or by DDIM (Song, Meng & Ermon 2021, η = 0) on S of the T steps, deterministically:
//   x_{t'} = √ᾱ_{t'} · x̂_0 + √(1 − ᾱ_{t'}) · ε̂,  t' the step before t in the subsequence.
// A DDIM sample is a function of x_T alone: x_T is the model's latent code, so a grid is
// reproducible and two codes can be interpolated (slerp), as for the VAE and the GAN.

/// A diffusion model: a denoiser trained to predict the noise at every noise level, sampled by
/// denoising pure noise step by step.
public final class DiffusionModel: GenerativeModel {
    public let name: String
    public let displayName: String
    public let denoiser: any Denoiser
    public let schedule: NoiseSchedule
    /// D: numbers per item, the size of x_T.
    public let latentDimension: Int
    /// Whether items are images in [−1, 1]: x̂_0 is clipped there while sampling, and `decode`
    /// maps samples to [0, 1]. Toy data are neither clipped nor mapped.
    public let imagesInSymmetricRange: Bool
    /// DDIM steps `decode` takes (`sample`, grids, interpolations).
    public var samplingSteps: Int
    /// Items the denoiser takes at once, in training, evaluation and sampling. A batch's gradient
    /// is the sum of its slices' (the loss is a mean over the batch's items, and no layer of a
    /// denoiser mixes items), while the maps every layer keeps for its backward pass grow with
    /// the slice.
    public let sliceSize: Int
    /// 32: a U-Net's peak at batch 128 fell from 770 to 270 MB, and its epoch from 160 to 97 s
    /// (2 threads, Zen 3): the maps of a slice stay in the caches.
    public static let defaultSliceSize = 32
    /// The activation values a slice may flow through: the 16-32 U-Net's 32 items of 28×28
    /// (9.6 million, by `ModelKind.activationEstimate`). Its 32×32 images take 16.
    public static let sliceActivationLimit = 10_000_000.0

    /// The most items, up to `defaultSliceSize` and halving from it, whose slice flows through no
    /// more than `sliceActivationLimit` values at `activationsPerItem` each: a wider denoiser
    /// takes smaller slices, so that its training peak grows with its weights, not its maps.
    public static func sliceSize(activationsPerItem: Double) -> Int {
        var size = defaultSliceSize
        while size > 1 && Double(size) * activationsPerItem > sliceActivationLimit { size /= 2 }
        return size
    }
    public let parameters: [Parameter]
    // Step buffers: the batch's ε and timesteps; a slice's x_0, ε, x_t and dLoss/dε̂, each (n, D).
    private var noise: Tensor?, sliceClean: Tensor?, sliceNoise: Tensor?, noised: Tensor?, dPrediction: Tensor?
    private var timesteps: [Int] = [], sliceTimesteps: [Int] = []
    private var sums = (loss: 0.0, items: 0)

    public init(
        denoiser: any Denoiser, schedule: NoiseSchedule, dimension: Int, imagesInSymmetricRange: Bool = true,
        samplingSteps: Int = 50, sliceSize: Int = DiffusionModel.defaultSliceSize, name: String = "diffusion",
        displayName: String = "Diffusion"
    ) {
        precondition(sliceSize > 0, "a slice holds at least one item")
        precondition(
            (1...schedule.steps).contains(samplingSteps),
            "DDIM takes from 1 to \(schedule.steps) steps, not \(samplingSteps)")
        self.denoiser = denoiser
        self.schedule = schedule
        self.latentDimension = dimension
        self.imagesInSymmetricRange = imagesInSymmetricRange
        self.samplingSteps = samplingSteps
        self.sliceSize = sliceSize
        self.name = name
        self.displayName = displayName
        parameters = denoiser.parameters.map { $0.prefixed("denoiser") }
    }

    public var pixelRange: PixelRange { .symmetric }
    public var stateTensors: [NamedTensor] { denoiser.stateTensors.map { $0.prefixed("denoiser") } }
    public var lossDescription: String {
        "squared error between the true and the predicted noise, averaged over every number of every item (L_simple of Ho et al. 2020; t uniform in 1…\(schedule.steps))"
    }
    public var samplingDescription: String {
        "Pure noise x_T denoised in \(samplingSteps) DDIM steps: each step predicts the noise, estimates the clean image from it and moves to a less noisy x_t."
    }

    public func configurationJSON(optimizer: String) -> String {
        jsonObject([
            ("model", jsonQuoted(name)), ("denoiser", jsonQuoted(denoiser.description)),
            ("schedule", jsonQuoted(schedule.description)), ("dimension", "\(latentDimension)"),
            ("loss", jsonQuoted(lossDescription)), ("optimizer", jsonQuoted(optimizer)),
        ])
    }

    public func beginEpoch() { sums = (0, 0) }

    /// L_simple on `batch` (its items x_0), each item at a fresh t and ε; adds dLoss/dθ.
    public func accumulateGradients(group: Int, batch: Batch, generator: inout SeededGenerator) -> Float {
        let x0 = batch.images, n = x0.shape[0]
        let epsilon = Tensor.reuse(&noise, shape: x0.shape)
        epsilon.fillNormal(using: &generator)
        timesteps.removeAll(keepingCapacity: true)
        for _ in 0..<n { timesteps.append(1 + generator.nextInt(below: schedule.steps)) }
        let loss = accumulateGradients(x0, timesteps: timesteps, epsilon: epsilon)
        sums.loss += Double(loss) * Double(n)
        sums.items += n
        return loss
    }

    /// Forward and backward for given timesteps and noise, slice by slice: the batch's loss, with
    /// dLoss/dθ added.
    func accumulateGradients(_ x0: Tensor, timesteps: [Int], epsilon: Tensor) -> Float {
        let n = x0.shape[0], size = x0.shape.countPerItem, scale = 2 / Float(x0.count)
        var sum = 0.0
        for start in stride(from: 0, to: n, by: sliceSize) {
            let m = min(sliceSize, n - start)
            let clean = Tensor.reuse(&sliceClean, shape: Shape(m, size))
            let noise = Tensor.reuse(&sliceNoise, shape: Shape(m, size))
            clean.data.update(from: x0.data + start * size, count: m * size)
            noise.data.update(from: epsilon.data + start * size, count: m * size)
            sliceTimesteps.removeAll(keepingCapacity: true)
            sliceTimesteps.append(contentsOf: timesteps[start..<(start + m)])
            let xt = Tensor.reuse(&noised, shape: Shape(m, size))
            schedule.noise(clean, at: sliceTimesteps, with: noise, into: xt)
            let predicted = denoiser.predictNoise(xt, timesteps: sliceTimesteps, training: true)
            let d = Tensor.reuse(&dPrediction, shape: Shape(m, size))
            for i in 0..<(m * size) {
                let difference = predicted.data[i] - noise.data[i]
                sum += Double(difference * difference)
                d.data[i] = scale * difference  // d/dε̂ of the mean of squares over the whole batch
            }
            denoiser.backward(d)
        }
        return Float(sum / Double(x0.count))
    }

    /// ε̂ for every item of `x` (N, D) at its timestep, `sliceSize` items at a time, as a new tensor.
    func predictedNoise(_ x: Tensor, timesteps: [Int]) -> Tensor {
        let n = x.shape[0], size = x.shape.countPerItem
        let predicted = Tensor(zeros: x.shape)
        for start in stride(from: 0, to: n, by: sliceSize) {
            let range = start..<min(start + sliceSize, n)
            let slice = denoiser.predictNoise(x.rows(range), timesteps: Array(timesteps[range]), training: false)
            (predicted.data + start * size).update(from: slice.data, count: slice.count)
        }
        return predicted
    }

    public func epochMetrics() -> [(Metric, Double)] { [(.trainLoss, sums.loss / Double(max(sums.items, 1)))] }

    /// L_simple on the test items, each at a t and ε drawn by `generator`.
    public func evaluate(_ test: Dataset, generator: inout SeededGenerator) -> [(Metric, Double)] {
        var sum = 0.0
        test.forEachChunk(of: sliceSize, range: .symmetric) { x0 in
            let t = (0..<x0.shape[0]).map { _ in 1 + generator.nextInt(below: schedule.steps) }
            sum += noisePredictionErrors(x0, timesteps: t, generator: &generator).reduce(0, +)
        }
        return [(.testLoss, sum / Double(max(test.count, 1)))]
    }

    /// For each item x_0 of `clean` (N, D) at its timestep, with a fresh ε from `generator`: the
    /// mean over its D numbers of (ε̂(x_t, t) − ε)², the item's share of L_simple.
    public func noisePredictionErrors(_ clean: Tensor, timesteps: [Int], generator: inout SeededGenerator) -> [Double] {
        let epsilon = Tensor.normal(clean.shape, using: &generator)
        let xt = Tensor(zeros: clean.shape)
        schedule.noise(clean, at: timesteps, with: epsilon, into: xt)
        let predicted = predictedNoise(xt, timesteps: timesteps), size = clean.shape.countPerItem
        return (0..<clean.shape[0]).map { n in
            var sum = 0.0
            for i in (n * size)..<((n + 1) * size) {
                let difference = Double(predicted.data[i] - epsilon.data[i])
                sum += difference * difference
            }
            return sum / Double(size)
        }
    }

    // MARK: Sampling

    /// The timesteps DDIM visits with `steps` of the T: t_i = round(i · T / steps), from T down.
    public func samplingTimesteps(_ steps: Int) -> [Int] {
        precondition((1...schedule.steps).contains(steps), "DDIM takes from 1 to \(schedule.steps) steps, not \(steps)")
        return (1...steps).reversed().map { Int((Double($0) * Double(schedule.steps) / Double(steps)).rounded()) }
    }

    /// x̂_0 = (x_t − √(1 − ᾱ_t) · ε̂) / √ᾱ_t for every item at timestep t, clipped for images;
    /// `predicted` becomes the ε consistent with the clipped x̂_0 (what DDIM's next step reuses).
    private func cleanEstimate(_ xt: Tensor, predicted: Tensor, t: Int) -> Tensor {
        let a = schedule.alphaBar(t)
        let (signal, spread) = (Float(a.squareRoot()), Float((1 - a).squareRoot()))
        let x0 = Tensor(zeros: xt.shape)
        for i in 0..<xt.count {
            var estimate = (xt.data[i] - spread * predicted.data[i]) / signal
            if imagesInSymmetricRange {
                estimate = min(max(estimate, -1), 1)
                predicted.data[i] = (xt.data[i] - signal * estimate) / spread
            }
            x0.data[i] = estimate
        }
        return x0
    }

    /// DDIM (η = 0) from x_T = `start` (N, D) in `steps` steps: items in the data's own range.
    /// `visit` sees each step's t, x_t and the clean estimate x̂_0 made from it.
    public func denoiseDeterministically(
        _ start: Tensor, steps: Int, visit: ((_ t: Int, _ xt: Tensor, _ cleanEstimate: Tensor) -> Void)? = nil
    ) -> Tensor {
        var x = start.copy()
        let n = x.shape[0], visited = samplingTimesteps(steps)
        for (i, t) in visited.enumerated() {
            let predicted = predictedNoise(x, timesteps: Array(repeating: t, count: n))
            let x0 = cleanEstimate(x, predicted: predicted, t: t)
            visit?(t, x, x0)
            let previous = schedule.alphaBar(i + 1 < visited.count ? visited[i + 1] : 0)
            let (signal, spread) = (Float(previous.squareRoot()), Float((1 - previous).squareRoot()))
            let next = Tensor(zeros: x.shape)
            for j in 0..<x.count { next.data[j] = signal * x0.data[j] + spread * predicted.data[j] }
            x = next
        }
        return x
    }

    /// Ancestral sampling (DDPM's Algorithm 2) from x_T = `start` (N, D) through all T steps,
    /// drawing each step's noise from `generator`: items in the data's own range.
    public func denoiseAncestrally(_ start: Tensor, generator: inout SeededGenerator) -> Tensor {
        var x = start.copy()
        let n = x.shape[0]
        for t in stride(from: schedule.steps, through: 1, by: -1) {
            let predicted = predictedNoise(x, timesteps: Array(repeating: t, count: n))
            let x0 = cleanEstimate(x, predicted: predicted, t: t)
            let (a, previous, beta) = (schedule.alphaBar(t), schedule.alphaBar(t - 1), schedule.betas[t - 1])
            // The posterior q(x_{t−1} | x_t, x_0)'s mean coefficients and its variance β̃_t.
            let onClean = Float(previous.squareRoot() * beta / (1 - a))
            let onNoised = Float((1 - beta).squareRoot() * (1 - previous) / (1 - a))
            let sigma = Float(((1 - previous) / (1 - a) * beta).squareRoot())
            let next = Tensor(zeros: x.shape)
            for j in 0..<x.count {
                next.data[j] =
                    onClean * x0.data[j] + onNoised * x.data[j] + (t > 1 ? sigma * generator.nextNormal() : 0)
            }
            x = next
        }
        return x
    }

    /// x_T ~ N(0, I), scaled by the temperature.
    public var prior: Prior { .standardNormal }
    public func codes(fromPriorDraws draws: Tensor, temperature: Float) -> Tensor { draws * temperature }
    /// Items from codes x_T by DDIM in `samplingSteps` steps; images as pixels in [0, 1].
    public func decode(_ codes: Tensor) -> Tensor {
        let x = denoiseDeterministically(codes, steps: samplingSteps)
        return imagesInSymmetricRange ? DiffusionModel.pixels(x) : x
    }
    /// Pixels in [−1, 1], the model's range, back to [0, 1] for drawing, clipped: x_t along the
    /// way, and a sample's last bits, can step outside [−1, 1].
    public static func pixels(_ x: Tensor) -> Tensor { x.map { min(max(($0 + 1) / 2, 0), 1) } }
    /// No encoder (DDIM's inversion of an image to its x_T would be one; not built).
    public func encode(_ images: Tensor) -> Tensor? { nil }
}
