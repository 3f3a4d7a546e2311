import Datasets
import NN

/// What the `Trainer` needs from a model: one optimisation step on a batch, the epoch's
/// figures, an evaluation on held-out data, and the tensors a checkpoint holds. The AE, the VAE
/// and the GAN implement it; so can a classifier or a script's own model.
public protocol TrainableModel: AnyObject {
    /// A short name: the `model` of metrics lines, the gallery folder, the checkpoint file's
    /// prefix ("ae", "vae", "gan", or a script's own).
    var name: String { get }
    /// The name in titles and headings: "Autoencoder", "VAE", "GAN".
    var displayName: String { get }
    /// The configuration as JSON, naming the networks (their layers' descriptions), the loss
    /// and the optimizer: stored in checkpoints and hashed into cache keys, so a cached model
    /// is reused only for the same architecture.
    var configurationJSON: String { get }
    /// How pixels are scaled for this model's training.
    var pixelRange: PixelRange { get }
    /// Every tensor a checkpoint must hold to continue training exactly: weights, buffers,
    /// optimizer moments.
    var checkpointTensors: [NamedTensor] { get }
    /// Every trained tensor (weights and biases), each once: what the optimizers update.
    var parameters: [Parameter] { get }
    /// What each reported loss means and how it is reduced, for metrics.jsonl and the README.
    var lossDescription: String { get }

    /// Clears the running sums that `epochMetrics` reports.
    func beginEpoch()
    /// `beginEpoch()` for epoch `number` (from 1), for a model whose training changes with the
    /// epoch (greedy pretraining); the default ignores the number.
    func beginEpoch(number: Int)
    /// One optimisation step on `batch` (pixels in `pixelRange`, with their labels); returns the
    /// loss shown in progress.
    func trainStep(_ batch: Batch, generator: inout SeededGenerator) -> Float
    /// Named averages over the epoch's steps (`train_loss`, or `d_loss` and `g_loss`).
    func epochMetrics() -> [(String, Double)]
    /// Named figures on held-out data (`test_loss`, ...).
    func evaluate(_ test: Dataset, generator: inout SeededGenerator) -> [(String, Double)]
}

extension TrainableModel {
    public func beginEpoch(number: Int) { beginEpoch() }
}

extension TrainableModel {
    /// The number of trained values: weights and biases (not running statistics or optimizer
    /// moments, which the checkpoint keeps too).
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}
