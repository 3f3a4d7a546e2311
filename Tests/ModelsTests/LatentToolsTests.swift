import Foundation
import Models
import Training
import NN
import TensorCore
import Testing

@Suite("What the lecture scripts ask of a model: traversals, the posterior, parameter counts")
struct LatentToolsTests {
    @Test("a traversal changes one unit a row, across the prior's range, and holds the rest of the code")
    func traversal() {
        let vae = VariationalAutoencoder(hiddenSizes: [32], latentDimension: 4, seed: 0)
        let code = Tensor(shape: [1, 4], values: [0.3, -0.2, 0.1, 0.5])
        let images = vae.traversal(of: code, units: [2, 0], steps: 3)
        #expect(images.shape == [6, 784])
        // Row 0 sweeps unit 2 over the normal quantiles 2.5%, 50%, 97.5%; row 1 sweeps unit 0.
        let q = [inverseNormalCDF(0.025), 0, inverseNormalCDF(0.975)]
        var expected: [Float] = []
        for unit in [2, 0] { for s in 0..<3 { var c = code.scalars; c[unit] = q[s]; expected += c } }
        let decoded = vae.decode(Tensor(shape: [6, 4], values: expected))
        #expect(zip(images.scalars, decoded.scalars).allSatisfy { abs($0 - $1) < 1e-6 })

        // The plain AE sweeps each unit over its training codes' range.
        let ae = Autoencoder(hiddenSizes: [32], latentDimension: 3, seed: 0)
        let aeImages = ae.traversal(of: Tensor(shape: [1, 3], values: [0, 0, 0]), units: [1], steps: 2)
        let ends = ae.codes(
            fromPriorDraws: Tensor(shape: [2, 3], values: [-0.95, -0.95, -0.95, 0.95, 0.95, 0.95]), temperature: 1)
        let aeExpected = ae.decode(Tensor(shape: [2, 3], values: [0, ends[0, 1], 0, 0, ends[1, 1], 0]))
        #expect(zip(aeImages.scalars, aeExpected.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test("the posterior's mean is the code encode gives, and its spread is the log-variance head's")
    func posterior() {
        let vae = VariationalAutoencoder(hiddenSizes: [32], latentDimension: 5, seed: 1)
        var random = SeededGenerator(seed: 2)
        let x = Tensor.uniform(Shape(3, 784), using: &random)
        let (mean, logVariance) = vae.posterior(x)
        #expect(mean.shape == [3, 5] && logVariance.shape == [3, 5])
        #expect(mean.scalars == vae.encode(x)!.scalars)
        #expect(logVariance.scalars == vae.logVarianceHead(vae.encoder(x)).scalars)
        #expect(logVariance.scalars != mean.scalars)
    }

    @Test("the memory estimate: exact parameter counts for the MLP models, and the defaults far below a gigabyte")
    func memoryEstimate() {
        let image = Shape(1, 28, 28)
        for kind in [ModelKind.ae, .vae, .gan] {
            for tied in [false, true] where !(tied && kind != .ae) {
                var settings = kind.defaultSettings
                settings.tiedWeights = tied
                let model = kind.makeModel(settings, image: image, seed: 0)
                #expect(
                    kind.parameterEstimate(settings, image: image) == Double(model.parameterCount),
                    "\(kind) tied \(tied)")
            }
        }
        for kind in ModelKind.allCases {
            for architecture in Architecture.allCases where kind != .pca || architecture == .mlp {
                let estimate = kind.memoryEstimate(
                    kind.defaultSettings(architecture), image: image, images: 70_000, batchSize: 128)
                #expect(estimate > 1e6 && estimate < 1e9, "\(kind) \(architecture): \(estimate)")
            }
        }
        var huge = ModelKind.ae.defaultSettings
        huge.hiddenSizes = [Int](repeating: 16_384, count: 8)
        #expect(ModelKind.ae.memoryEstimate(huge, image: image, images: 0, batchSize: 128) > 50e9)
    }

    @Test("parameter counts: weights and biases once, no optimizer moments or running statistics")
    func parameterCounts() {
        // 784-512-32-512-784: four weight matrices and their biases.
        #expect(
            Autoencoder(hiddenSizes: [512], latentDimension: 32, seed: 0).parameterCount == 2 * (784 * 512 + 512 * 32)
                + 512 + 32 + 512 + 784)
        // Tied: the decoder's weights are the encoder's, counted once; the biases are its own.
        #expect(
            Autoencoder(hiddenSizes: [512], latentDimension: 32, tiedWeights: true, seed: 0).parameterCount == 784 * 512
                + 512 * 32 + 512 + 32 + 512 + 784)
        // Batch norm: γ and β are parameters, the running mean and variance are not.
        let gan = GAN(convolutionalFor: Shape(1, 28, 28), generatorChannels: [16, 8], latentDimension: 8, seed: 0)
        let trained = gan.parameters.reduce(0) { $0 + $1.value.count }
        #expect(gan.parameterCount == trained)
        #expect(gan.stateTensors.reduce(0) { $0 + $1.value.count } > trained)
    }

    @Test(
        "sampling decodes 256 codes at a time: the images of decoding every code at once, to rounding; the same bits each time"
    )
    func chunkedSampling() {
        let gan = GAN(convolutionalFor: Shape(1, 28, 28), generatorChannels: [16, 8], latentDimension: 8, seed: 0)
        // One thread count throughout (this thread's own): other tests running beside this one
        // resize the shared team, and "the same bits" is a promise for the same thread count.
        func sampled() -> Tensor {
            var draws = SeededGenerator(seed: 5)
            return BLAS.withThreadCount(2) { gan.sample(count: 600, generator: &draws) }
        }
        let samples = sampled()
        var again = SeededGenerator(seed: 5)
        let whole = BLAS.withThreadCount(2) {
            gan.decode(gan.codes(fromPriorDraws: gan.priorDraws(count: 600, generator: &again), temperature: 1))
        }
        // The BLAS may order a product's sums differently for another number of rows: the last bit.
        let largest = zip(samples.scalars, whole.scalars).map { abs($0 - $1) }.max()!
        #expect(samples.shape == whole.shape && largest < 1e-5, "\(largest)")
        #expect(sampled().scalars == samples.scalars)
    }
}
