import Datasets
import Evaluation
import Foundation
import NN
import Testing
import Training
@testable import Models

/// The denoiser that knows the data: the exact ε̂(x_t, t) = E[ε | x_t] when every item is drawn
/// from N(mean, spread²) in each dimension (spread 0: every item is `mean`). With it a sampler
/// has nothing left to learn, so these tests check the samplers' formulas alone.
final class OracleDenoiser: Denoiser {
    let schedule: NoiseSchedule
    let mean: Float, spread: Float
    private var output: Tensor?

    init(schedule: NoiseSchedule, mean: Float, spread: Float) {
        (self.schedule, self.mean, self.spread) = (schedule, mean, spread)
    }

    var description: String { "oracle" }
    var parameters: [Parameter] { [] }
    var stateTensors: [NamedTensor] { [] }

    // x_t = √ᾱ x_0 + √(1 − ᾱ) ε with x_0 ~ N(m, s²): E[ε | x_t] = √(1 − ᾱ) (x_t − √ᾱ m) / (ᾱ s² + 1 − ᾱ).
    func predictNoise(_ noised: Tensor, timesteps: [Int], training: Bool) -> Tensor {
        let y = Tensor.reuse(&output, shape: noised.shape), d = noised.shape.countPerItem
        for (n, t) in timesteps.enumerated() {
            let a = Float(schedule.alphaBar(t))
            for i in (n * d)..<((n + 1) * d) {
                y.data[i] =
                    (1 - a).squareRoot() * (noised.data[i] - a.squareRoot() * mean) / (a * spread * spread + 1 - a)
            }
        }
        return y
    }

    func backward(_ dPrediction: Tensor) {}
}

/// Each parameter's gradient of the diffusion loss at fixed x_0, t and ε: the model's own
/// (copied before the differences run, since every evaluation of the loss adds to the
/// gradients) and the central differences of the loss, element by element, with step `h`.
func lossGradients(
    _ model: DiffusionModel, _ x0: Tensor, timesteps t: [Int], epsilon: Tensor, step h: Float
) -> [(parameter: Parameter, analytic: Tensor, numeric: [Double])] {
    model.parameters.zeroGradients()
    _ = model.accumulateGradients(x0, timesteps: t, epsilon: epsilon)
    let analytic = model.parameters.map { $0.gradient.copy() }
    return zip(model.parameters, analytic).map { p, gradient in
        let numeric = (0..<p.value.count).map { i -> Double in
            let saved = p.value[i]
            p.value[i] = saved + h
            let up = Double(model.accumulateGradients(x0, timesteps: t, epsilon: epsilon))
            p.value[i] = saved - h
            let down = Double(model.accumulateGradients(x0, timesteps: t, epsilon: epsilon))
            p.value[i] = saved
            return (up - down) / (2 * Double(h))
        }
        return (p, gradient, numeric)
    }
}

@Suite("The diffusion model: its loss's gradient, both samplers, and learning a ring of Gaussians")
struct DiffusionTests {
    func oracleModel(mean: Float, spread: Float, steps: Int = 100) -> DiffusionModel {
        let schedule = NoiseSchedule(.linear, steps: steps)
        return DiffusionModel(
            denoiser: OracleDenoiser(schedule: schedule, mean: mean, spread: spread), schedule: schedule, dimension: 2,
            imagesInSymmetricRange: false)
    }

    @Test("data at one point: DDIM in 1, 10 or all steps and ancestral sampling all return that point")
    func onePoint() {
        let model = oracleModel(mean: 0.7, spread: 0)
        var g = SeededGenerator(seed: 1)
        let start = Tensor.normal(Shape(5, 2), using: &g)
        for steps in [1, 10, 100] {
            let x = model.denoiseDeterministically(start, steps: steps)
            #expect(x.scalars.allSatisfy { abs($0 - 0.7) < 1e-4 }, "DDIM in \(steps) steps")
        }
        let x = model.denoiseAncestrally(start, generator: &g)
        #expect(x.scalars.allSatisfy { abs($0 - 0.7) < 1e-4 }, "ancestral")
    }

    @Test("Gaussian data: ancestral samples have its mean and spread; DDIM maps x_T to mean + spread · x_T")
    func gaussian() {
        let model = oracleModel(mean: 0.5, spread: 0.3, steps: 1000)
        var g = SeededGenerator(seed: 2)
        let start = Tensor.normal(Shape(2_000, 2), using: &g)
        // Standard errors over 4,000 numbers: 0.005 for the mean, about 1% of the spread. Sampling
        // each step from q(x_{t−1} | x_t, x̂_0) leaves out x̂_0's own uncertainty, so the spread
        // comes out a little narrow (Ho et al.'s lower bound σ² = β̃); within 5% at T = 1000.
        let x = model.denoiseAncestrally(start, generator: &g).scalars.map(Double.init)
        let mean = x.reduce(0, +) / Double(x.count)
        let sd = (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count - 1)).squareRoot()
        #expect(abs(mean - 0.5) < 0.02 && abs(sd - 0.3) < 0.015, "ancestral: mean \(mean), sd \(sd)")
        // For Gaussian data DDIM's deterministic path is a straight map of each number of x_T
        // (the probability-flow ODE's solution): x_0 = mean + spread · x_T, up to the steps' error.
        for (steps, tolerance) in [(1000, 0.01), (100, 0.06)] {
            let y = model.denoiseDeterministically(start, steps: steps)
            let worst = (0..<y.count).map { abs(Double(y[$0]) - (0.5 + 0.3 * Double(start[$0]))) }.max()!
            #expect(worst < tolerance, "DDIM in \(steps) steps: \(worst) from mean + spread · x_T")
        }
        // Deterministic: the same x_T, the same items.
        #expect(
            model.denoiseDeterministically(start, steps: 10).scalars
                == model.denoiseDeterministically(start, steps: 10).scalars)
    }

    @Test("DDIM visits T, …, down to one step above 0 on an even grid")
    func samplingTimesteps() {
        let model = oracleModel(mean: 0, spread: 1, steps: 1000)
        #expect(model.samplingTimesteps(4) == [1000, 750, 500, 250])
        #expect(model.samplingTimesteps(1000) == Array((1...1000).reversed()))
    }

    @Test("the loss's gradient against finite differences, at fixed t and ε")
    func lossGradient() {
        let schedule = NoiseSchedule(.cosine, steps: 50)
        let denoiser = MLPDenoiser(dimension: 3, hiddenSizes: [6], embeddingSize: 4, seed: 3)
        let model = DiffusionModel(denoiser: denoiser, schedule: schedule, dimension: 3)
        var g = SeededGenerator(seed: 4)
        let x0 = Tensor.uniform(Shape(4, 3), low: -1, high: 1, using: &g),
            epsilon = Tensor.normal(Shape(4, 3), using: &g)
        let t = [1, 10, 25, 50]
        for (p, analytic, numeric) in lossGradients(model, x0, timesteps: t, epsilon: epsilon, step: 1e-2) {
            for i in numeric.indices {
                #expect(abs(Double(analytic[i]) - numeric[i]) < 2e-2 * max(1, abs(numeric[i])), "\(p.name)[\(i)]")
            }
        }
    }

    @Test("a batch taken in slices has the loss and the gradients of the batch taken whole")
    func slices() {
        func model(sliceSize: Int) -> DiffusionModel {
            DiffusionModel(
                denoiser: UNetDenoiser(image: Shape(1, 8, 8), channels: (4, 8), embeddingSize: 8, seed: 10),
                schedule: NoiseSchedule(.linear, steps: 100), dimension: 64, sliceSize: sliceSize)
        }
        var g = SeededGenerator(seed: 11)
        let x0 = Tensor.uniform(Shape(5, 64), low: -1, high: 1, using: &g)
        let epsilon = Tensor.normal(Shape(5, 64), using: &g)
        let (whole, sliced) = (model(sliceSize: 8), model(sliceSize: 2))
        let losses = [whole, sliced].map { m -> Float in
            m.parameters.zeroGradients()
            return m.accumulateGradients(x0, timesteps: [1, 20, 40, 60, 99], epsilon: epsilon)
        }
        #expect(abs(losses[0] - losses[1]) < 1e-6 * losses[0])
        for (a, b) in zip(whole.parameters, sliced.parameters) {
            let difference = zip(a.gradient.scalars, b.gradient.scalars).map { Double($0 - $1) * Double($0 - $1) }
            let size = a.gradient.scalars.map { Double($0) * Double($0) }.reduce(0, +)
            #expect(difference.reduce(0, +) <= 1e-10 * max(size, 1e-12), "\(a.name)")
        }
    }

    @Test("a wider U-Net takes smaller slices: the 16-32 U-Net 32 items, the 32-64 one 16, an MLP 32")
    func sliceSizes() {
        let image = Shape(1, 28, 28)
        func slice(_ architecture: Architecture, _ hidden: [Int]) -> Int {
            var settings = ModelKind.diffusion.defaultSettings(architecture)
            settings.hiddenSizes = hidden
            return (ModelKind.diffusion.makeModel(settings, image: image, seed: 0) as! DiffusionModel).sliceSize
        }
        #expect(slice(.conv, [16, 32]) == 32)
        #expect(slice(.conv, [32, 64]) == 16)
        #expect(slice(.conv, [64, 128]) == 8)
        #expect(slice(.mlp, [1024, 1024]) == 32)
        #expect(DiffusionModel.sliceSize(activationsPerItem: 1e9) == 1)
        // Larger images, smaller slices: the default U-Net on 32×32.
        var settings = ModelKind.diffusion.defaultSettings(.conv)
        settings.hiddenSizes = [16, 32]
        let large = ModelKind.diffusion.makeModel(settings, image: Shape(1, 32, 32), seed: 0) as! DiffusionModel
        #expect(large.sliceSize == 16)
        // The estimate follows the slice: twice the widths, the same activations at a time.
        let narrow = ModelKind.diffusion.defaultSettings(.conv)
        var wide = narrow
        wide.hiddenSizes = [32, 64]
        func estimate(_ s: ModelSettings) -> Double {
            ModelKind.diffusion.memoryEstimate(s, image: image, images: 70_000, batchSize: 128)
        }
        #expect(estimate(wide) < 1.2 * estimate(narrow), "\(estimate(wide)) against \(estimate(narrow))")
    }

    @Test("an MLP denoiser learns the ring of eight Gaussians: DDIM samples hold its modes")
    func learnsRing() {
        let ring = GaussianMixture.ring()
        let denoiser = MLPDenoiser(dimension: 2, hiddenSizes: [64, 64], embeddingSize: 16, seed: 5)
        let model = DiffusionModel(
            denoiser: denoiser, schedule: NoiseSchedule(.linear, steps: 100), dimension: 2,
            imagesInSymmetricRange: false, samplingSteps: 50)
        let learner = Learner(model, optimizer: Adam(learningRate: 2e-3))
        var g = SeededGenerator(seed: 6)
        let batch = Tensor(zeros: Shape(256, 2))
        for _ in 0..<3_000 {
            ring.fill(batch, generator: &g)
            _ = learner.step(Batch(images: batch), generator: &g)
        }
        let samples = model.sample(count: 1_000, generator: &g)
        let coverage = ModeCoverage(samples: samples, mixture: ring)
        // Untrained, DDIM's samples are a blob around the origin: no mode held. (A linear schedule:
        // the cosine one's last β, clipped at 0.999, makes DDIM's first step from x_T multiply the
        // denoiser's error some thirty times on data that is not clipped, as points are not.)
        #expect(
            coverage.modesHeld == 8 && coverage.highQualityShare > 0.3,
            "\(coverage.modesHeld) modes, \(coverage.highQualityShare) within 3σ")
    }
}

@Suite("The U-Net denoiser")
struct UNetDenoiserTests {
    @Test("its backward pass against finite differences of the diffusion loss, every parameter")
    func gradients() {
        let unet = UNetDenoiser(image: Shape(1, 8, 8), channels: (4, 8), embeddingSize: 8, seed: 7)
        let model = DiffusionModel(denoiser: unet, schedule: NoiseSchedule(.linear, steps: 100), dimension: 64)
        var g = SeededGenerator(seed: 8)
        let x0 = Tensor.uniform(Shape(2, 64), low: -1, high: 1, using: &g),
            epsilon = Tensor.normal(Shape(2, 64), using: &g)
        let t = [3, 80]
        // A deep network in Float: single elements' differences carry a percent of curvature and
        // rounding, so each tensor's gradient is compared as a whole, ‖analytic − numeric‖ / ‖numeric‖.
        var worst = (error: 0.0, name: "")
        for (p, analytic, numeric) in lossGradients(model, x0, timesteps: t, epsilon: epsilon, step: 3e-3) {
            let difference = numeric.indices.map { pow(Double(analytic[$0]) - numeric[$0], 2) }.reduce(0, +)
            let size = numeric.map { $0 * $0 }.reduce(0, +)
            let error = (difference / max(size, 1e-8)).squareRoot()  // a floor for gradients of 0
            if error > worst.error { worst = (error, p.name) }
        }
        #expect(worst.error < 1e-2, "worst relative error \(worst.error), in \(worst.name)")
        #expect(
            model.parameters.count == 2 * (3 + 5 * 5 + 3 + 2 + 2),
            "every layer's weight and bias, each once: time, stem, five blocks, three shortcuts, two downsamplings, the output"
        )
    }

    @Test("its parameters carry PyTorch-style module names and its output has the input's shape")
    func names() {
        let unet = UNetDenoiser(image: Shape(1, 28, 28), channels: (16, 32), seed: 1)
        let names = unet.parameters.map(\.name)
        #expect(
            names.contains("down2.shortcut.weight") && names.contains("up1.norm1.bias")
                && names.contains("timeIn.weight"))
        #expect(!names.contains("down1.shortcut.weight"), "no shortcut where the channels do not change")
        let x = Tensor(zeros: Shape(3, 784))
        #expect(unet.predictNoise(x, timesteps: [1, 500, 1000], training: false).shape == Shape(3, 784))
    }
}

@Suite("The diffusion step PyTorch checks")
struct DiffusionStepExport {
    /// One training step of the default U-Net on fixed images, timesteps and noise: the loss and
    /// every gradient, written where GEN_EXPORT_DIFFUSION_STEP names (with the weights and
    /// inputs) for `Benchmarks/pytorch_diffusion.py check FILE`, which recomputes them in PyTorch.
    @Test("the default U-Net's step on fixed inputs: a finite loss, a gradient for every parameter, exportable")
    func step() throws {
        let unet = UNetDenoiser(image: Shape(1, 28, 28), channels: (16, 32), seed: 0)
        let model = DiffusionModel(denoiser: unet, schedule: NoiseSchedule(.linear), dimension: 784)
        var g = SeededGenerator(seed: 9)
        let x0 = Tensor.uniform(Shape(4, 784), low: -1, high: 1, using: &g),
            epsilon = Tensor.normal(Shape(4, 784), using: &g)
        let timesteps = [1, 10, 500, 1000]
        model.parameters.zeroGradients()
        let loss = model.accumulateGradients(x0, timesteps: timesteps, epsilon: epsilon)
        #expect(loss.isFinite && loss > 0.1)
        #expect(
            model.parameters.allSatisfy { $0.gradient.scalars.contains { $0 != 0 } }, "every parameter gets a gradient")
        guard let path = ProcessInfo.processInfo.environment["GEN_EXPORT_DIFFUSION_STEP"] else { return }
        let inputs = [
            NamedTensor(name: "x0", value: x0), NamedTensor(name: "epsilon", value: epsilon),
            NamedTensor(name: "timesteps", value: Tensor(shape: [4], values: timesteps.map(Float.init))),
            NamedTensor(name: "loss", value: Tensor(shape: [1], values: [loss])),
        ]
        let weights = model.parameters.map { NamedTensor(name: $0.name, value: $0.value) }
        let gradients = model.parameters.map { NamedTensor(name: "gradient." + $0.name, value: $0.gradient) }
        try SafeTensors.write(inputs + weights + gradients, to: path)
    }
}
