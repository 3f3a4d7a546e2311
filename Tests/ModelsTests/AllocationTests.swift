import AllocationCounter
import Testing
@testable import Datasets
@testable import Models
@testable import Training
@testable import NN
@testable import TensorCore

@Suite(
    "A training step allocates nothing", .serialized,
    .enabled(if: gen_allocation_counting_available() == 1, "a sanitizer owns malloc"))
struct AllocationTests {
    /// oneDNN's own allocations (its argument map, built at every run of a primitive) are the
    /// library's, not gen's: left out of the count on the counting thread, as
    /// `OneDNN.setAroundExecutionOnThisThread` says. (The counter counts the calling thread,
    /// which runs part 0 of every team job: on a team of two, the other thread's parts are not
    /// counted.)
    func leavingOutOneDNNsOwn(_ body: () -> Void) {
        OneDNN.setAroundExecutionOnThisThread(gen_allocation_counting_pause)
        defer { OneDNN.setAroundExecutionOnThisThread(nil) }
        body()
    }

    /// Warm-up steps size every buffer; after that, steps on a full batch and on a smaller last
    /// batch must reuse them, with the thread team on one thread and on two (OpenBLAS itself
    /// always runs single-threaded inside the team's parts, so its threaded driver, which
    /// mallocs a job array per call, is never used). A counting window costs one allocation of
    /// its own, measured on an empty window and subtracted.
    @Test(
        "AE (and its variants), VAE, GAN, conv AE, conv VAE and DCGAN steps, after warm-up, make no heap allocation, on one thread and on a team of two",
        arguments: [
            "ae", "vae", "gan", "conv-ae", "conv-vae", "dcgan",
            "denoising-ae", "sparse-ae", "contractive-ae", "tied-ae", "pretraining-ae", "classifier",
        ], [1, 2])
    func noAllocation(kind: String, threads: Int) {
        if kind == "classifier" {
            let classifier = Classifier(
                convolutionalFor: tinyData.train.imageShape, channels: [16, 32], classNames: tinyData.train.classNames,
                seed: 0)
            return expectNoAllocation(classifier, kind: kind, threads: threads)
        }
        // Products of a few million multiply-adds: smaller ones send OpenBLAS down its
        // small-matrix kernels, which malloc a scratch buffer on every call (seen with gdb; the
        // default VAE's 128x20 by 20x400 product takes that path too: the library's allocation).
        let model: any GenerativeModel =
            switch kind {
            case "ae": Autoencoder(hiddenSizes: [128], seed: 0)
            case "vae": VariationalAutoencoder(hiddenSizes: [256], latentDimension: 128, seed: 0)
            case "conv-ae": Autoencoder(convolutionalFor: tinyData.train.imageShape, channels: [16, 32], seed: 0)
            case "conv-vae":
                VariationalAutoencoder(convolutionalFor: tinyData.train.imageShape, channels: [16, 32], seed: 0)
            case "dcgan":
                GAN(
                    convolutionalFor: tinyData.train.imageShape, generatorChannels: [32, 16], discriminatorSteps: 2,
                    seed: 0)
            case "denoising-ae":
                Autoencoder(
                    hiddenSizes: [128],
                    objective: AutoencoderObjective(reconstruction: .mse, corruption: .saltPepper(fraction: 0.2)),
                    seed: 0)
            case "sparse-ae":
                Autoencoder(
                    hiddenSizes: [128], codeActivation: .sigmoid,
                    objective: AutoencoderObjective(sparsity: .kl(target: 0.05, weight: 1)), seed: 0)
            case "contractive-ae":
                Autoencoder(
                    hiddenSizes: [], latentDimension: 64, codeActivation: .sigmoid,
                    objective: AutoencoderObjective(contraction: 0.1), seed: 0)
            case "tied-ae":
                Autoencoder(
                    hiddenSizes: [128], tiedWeights: true, objective: AutoencoderObjective(sparsity: .l1(weight: 0.01)),
                    seed: 0)
            case "pretraining-ae":
                Autoencoder(hiddenSizes: [128], latentDimension: 64, pretrainingEpochsPerLayer: 1, seed: 0)
            default: GAN(generatorHiddenSizes: [128], discriminatorHiddenSizes: [128], discriminatorSteps: 2, seed: 0)
            }
        expectNoAllocation(model, kind: kind, threads: threads)
    }

    func expectNoAllocation(_ model: any TrainableModel, kind: String, threads: Int) {
        // Batches as the trainer hands them over, labels included.
        let full = Batch(
            images: tinyData.train.images(Array(0..<128), range: model.pixelRange), indices: Array(0..<128)[...],
            dataset: tinyData.train)
        let partial = Batch(
            images: tinyData.train.images(Array(0..<100), range: model.pixelRange), indices: Array(0..<100)[...],
            dataset: tinyData.train)
        var g = SeededGenerator(seed: 1)
        let learner = Learner(model)
        BLAS.withThreadCount(threads) {
            #expect(BLAS.threadCount == threads)
            model.beginEpoch(number: 2)  // the pretraining AE's second stage: layer 2 on layer 1's codes
            for _ in 0..<3 { _ = learner.step(full, generator: &g); _ = learner.step(partial, generator: &g) }
            gen_allocation_counting_begin()
            let window = gen_allocation_counting_end()
            gen_allocation_counting_begin()
            leavingOutOneDNNsOwn {
                for _ in 0..<4 { _ = learner.step(full, generator: &g); _ = learner.step(partial, generator: &g) }
            }
            let allocations = gen_allocation_counting_end() - window
            #expect(allocations == 0, "\(allocations) allocations in 8 \(kind) steps on \(threads) threads")
        }
    }

    @Test(
        "Convolutions on oneDNN, after warm-up, allocate nothing: forward and backward, both batch sizes",
        arguments: [1, 2])
    func oneDNNConvolutions(threads: Int) {
        var g = SeededGenerator(seed: 3)
        // 12 channels: blocked layouts of 8 padded to 16.
        let down = Conv2D(
            inputChannels: 12, outputChannels: 32, kernelSize: 4, stride: 2, padding: 1, activation: .relu,
            generator: &g)
        let up = TransposedConv2D(
            inputChannels: 32, outputChannels: 12, kernelSize: 4, stride: 2, padding: 1, activation: .relu,
            generator: &g)
        down.engine = .oneDNN; up.engine = .oneDNN
        let network = Sequential(down, up)
        let full = Tensor.normal([128, 12, 14, 14], using: &g), partial = Tensor.normal([100, 12, 14, 14], using: &g)
        func step(_ x: Tensor) { _ = network.backward(network.forward(x, training: true)) }
        BLAS.withThreadCount(threads) {
            for _ in 0..<2 { step(full); step(partial) }
            gen_allocation_counting_begin()
            let window = gen_allocation_counting_end()
            gen_allocation_counting_begin()
            leavingOutOneDNNsOwn { for _ in 0..<3 { step(full); step(partial) } }
            let allocations = gen_allocation_counting_end() - window
            #expect(allocations == 0, "\(allocations) allocations in 6 oneDNN steps on \(threads) threads")
        }
    }

    @Test("the counter sees an allocation")
    func counterWorks() {
        gen_allocation_counting_begin()
        let t = Tensor(zeros: [1000])
        let allocations = gen_allocation_counting_end()
        #expect(allocations >= 1 && t.count == 1000)
    }
}
