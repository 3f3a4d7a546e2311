import Datasets
import NN

/// What the `Trainer` needs from a model: its parameters in groups, the loss of each group's
/// phase with its gradients, and the tensors a checkpoint holds. The model owns its math; the
/// trainer owns the optimisation (zeroing, clipping, stepping, schedules), so a model never
/// sees an optimizer. The AE, the VAE, the GAN, the classifier and PCA implement it; so can a
/// script's own model, in a few lines (the defaults below fill in the rest).
public protocol TrainableModel: AnyObject {
    /// A short name: the `model` of metrics lines, the gallery folder, the checkpoint file's
    /// prefix ("ae", "vae", "gan", or a script's own).
    var name: String { get }
    /// The name in titles and headings: "Autoencoder", "VAE", "GAN".
    var displayName: String { get }
    /// The configuration as JSON, naming the networks (their layers' descriptions), the loss
    /// and `optimizer` (the trainer's optimisation in words): stored in checkpoints and hashed
    /// into cache keys, so a cached model is reused only for the same architecture and training.
    func configurationJSON(optimizer: String) -> String
    /// How pixels are scaled for this model's training.
    var pixelRange: PixelRange { get }
    /// Every trained tensor (weights and biases), each once.
    var parameters: [Parameter] { get }
    /// The parameters in the groups the trainer gives an optimizer each, in checkpoint order
    /// (a GAN: generator, discriminator). A group with no parameters is a phase that learns
    /// without gradients (PCA's pass over the data).
    var parameterGroups: [ParameterGroup] { get }
    /// The order in which a training step runs the groups' phases (indices into
    /// `parameterGroups`): a GAN's discriminator before its generator.
    var phaseOrder: [Int] { get }
    /// The model's own tensors a checkpoint must hold to continue training exactly: weights,
    /// buffers, its own counters. The trainer adds its optimizers' state.
    var stateTensors: [NamedTensor] { get }
    /// What each reported loss means and how it is reduced, for metrics.jsonl and the README.
    var lossDescription: String { get }

    /// Clears the running sums that `epochMetrics` reports.
    func beginEpoch()
    /// `beginEpoch()` for epoch `number` (from 1), for a model whose training changes with the
    /// epoch (greedy pretraining); the default ignores the number.
    func beginEpoch(number: Int)
    /// Whether the step on the next batch runs the phase of group `group` (a GAN's generator:
    /// after every k-th discriminator update). Asked just before the phase would run.
    func updates(group: Int) -> Bool
    /// The loss of group `group`'s phase on `batch` (pixels in `pixelRange`, with their labels),
    /// with dLoss/dθ added into the group's gradients, which the trainer has zeroed and steps
    /// the group's optimizer on afterwards. The first phase's loss is the one shown in progress.
    func accumulateGradients(group: Int, batch: Batch, generator: inout SeededGenerator) -> Float
    /// Named averages over the epoch's steps (`train_loss`, or `d_loss` and `g_loss`); the
    /// trainer reports the mean of the first phase's losses as `train_loss` when this has none.
    func epochMetrics() -> [(Metric, Double)]
    /// Named figures on held-out data (`test_loss`, ...).
    func evaluate(_ test: Dataset, generator: inout SeededGenerator) -> [(Metric, Double)]
}

/// Parameters that one optimizer updates.
public struct ParameterGroup {
    /// What the group is ("model", "generator", "discriminator"): the key of an optimizer given
    /// for this group alone.
    public let name: String
    /// The group's parameters, each once.
    public let parameters: [Parameter]
    /// The prefix of its optimizer's state in checkpoints ("optimizer", "generatorOptimizer").
    public let stateName: String

    public init(name: String, parameters: [Parameter], stateName: String) {
        self.name = name
        self.parameters = parameters
        self.stateName = stateName
    }
}

extension TrainableModel {
    public var displayName: String { name }
    public var pixelRange: PixelRange { .unit }
    /// One group of every parameter, its optimizer's state under "optimizer".
    public var parameterGroups: [ParameterGroup] {
        [ParameterGroup(name: "model", parameters: parameters, stateName: "optimizer")]
    }
    public var phaseOrder: [Int] { Array(parameterGroups.indices) }
    /// The parameters themselves.
    public var stateTensors: [NamedTensor] { parameters.map { NamedTensor(name: $0.name, value: $0.value) } }
    /// The model's name, its parameters' names and shapes, its loss and the optimizer.
    public func configurationJSON(optimizer: String) -> String {
        let shapes = parameters.map { "\($0.name) \($0.value.shape)" }.joined(separator: ", ")
        return jsonObject([
            ("model", jsonQuoted(name)), ("parameters", jsonQuoted(shapes)), ("loss", jsonQuoted(lossDescription)),
            ("optimizer", jsonQuoted(optimizer)),
        ])
    }
    public func beginEpoch() {}
    public func beginEpoch(number: Int) { beginEpoch() }
    public func updates(group: Int) -> Bool { true }
    public func epochMetrics() -> [(Metric, Double)] { [] }
    public func evaluate(_ test: Dataset, generator: inout SeededGenerator) -> [(Metric, Double)] { [] }
}

extension TrainableModel {
    /// The number of trained values: weights and biases (not running statistics or optimizer
    /// moments, which the checkpoint keeps too).
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}
