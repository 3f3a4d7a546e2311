import Datasets
import Foundation
import Models
import NN

// One training step, the whole of it in one place (as llm.c keeps it): for each phase the
// model runs on this batch, in its order,
//   zero the group's gradients;  loss = model's phase (forward, backward: gradients added);
//   clip the group's gradient norm (if asked);  the group's optimizer steps.
// The model computes; the optimizers, the clipping and the schedules live here.

/// A model with an optimizer for each of its parameter groups: what the `Trainer` steps and
/// what a checkpoint holds (the model's tensors and every optimizer's state).
public final class Learner {
    /// The model being trained.
    public let model: any TrainableModel
    /// The model's parameter groups, read once.
    public let groups: [ParameterGroup]
    /// One optimizer per group, made fresh from the one given (or that group's override); nil
    /// for a group without parameters.
    public let optimizers: [(any Optimizer)?]
    /// The largest L2 norm a group's gradient may have before its step (Pascanu et al. 2013's
    /// clipping by norm): a larger gradient is scaled down to it. nil: no clipping.
    public let gradientClipNorm: Float?
    /// The weights averaged over the steps (`WeightAverage`), which evaluation and sampling
    /// read; nil: the weights as trained.
    public let weightAverage: WeightAverage?
    private let phaseOrder: [Int]

    /// `model` with a fresh copy of `optimizer` for each parameter group, or of
    /// `overrides[group.name]` where given (a GAN's discriminator with a rate of its own);
    /// with `averageDecay`, the weights are averaged over the steps (`WeightAverage`).
    public init(
        _ model: any TrainableModel, optimizer: any Optimizer = Adam(), overrides: [String: any Optimizer] = [:],
        gradientClipNorm: Float? = nil, averageDecay: Float? = nil
    ) {
        precondition(gradientClipNorm.map { $0 > 0 } ?? true, "a gradient clipping norm must be positive")
        self.model = model
        groups = model.parameterGroups
        optimizers = groups.map { group in
            group.parameters.isEmpty ? nil : (overrides[group.name] ?? optimizer).fresh(over: group.parameters)
        }
        self.gradientClipNorm = gradientClipNorm
        // Each tensor once, should two groups share one: swapped twice, it would stay as it was.
        let trained = groups.flatMap(\.parameters).deduplicated()
        weightAverage = averageDecay.map { WeightAverage(trained, decay: $0) }
        phaseOrder = model.phaseOrder
    }

    /// The optimizer of the group called `name`.
    public func optimizer(_ name: String) -> (any Optimizer)? {
        groups.firstIndex { $0.name == name }.flatMap { optimizers[$0] }
    }

    /// The optimisation in words, for the model's configuration: the optimizer's description
    /// when every group has the same one, else each group's; and the clipping.
    public var optimizerDescription: String {
        let named = zip(groups, optimizers).compactMap { group, optimizer in
            optimizer.map { (group.name, $0.description) }
        }
        var text =
            Set(named.map(\.1)).count <= 1
            ? (named.first?.1 ?? "none") : named.map { "\($0.0): \($0.1)" }.joined(separator: "; ")
        if let gradientClipNorm { text += ", gradients clipped to norm \(gradientClipNorm)" }
        if let weightAverage { text += ", weights averaged (decay \(weightAverage.decay))" }
        return text
    }

    /// The model's configuration with this optimisation: what checkpoints hold and cache keys hash.
    public var configurationJSON: String { model.configurationJSON(optimizer: optimizerDescription) }

    /// Every tensor a checkpoint holds: the model's, then each group's optimizer state under
    /// the group's `stateName`.
    public var checkpointTensors: [NamedTensor] {
        model.stateTensors
            + zip(groups, optimizers).flatMap { group, optimizer in
                (optimizer?.state ?? []).map { $0.prefixed(group.stateName) }
            } + (weightAverage?.tensors ?? [])
    }

    /// One training step on `batch`: every phase the model runs on it. Returns the first
    /// phase's loss (0 if none ran). Allocates nothing once the model's buffers are sized.
    public func step(_ batch: Batch, generator: inout SeededGenerator) -> Float {
        var first: Float?
        weightAverage?.useTrainingWeights()
        for index in phaseOrder where model.updates(group: index) {
            let loss = step(group: index, batch: batch, generator: &generator)
            if first == nil { first = loss }
        }
        weightAverage?.update()
        return first ?? 0
    }

    /// One phase alone on `batch`, whatever the model's order says: zero the group's gradients,
    /// its loss and gradients, clip, its optimizer's step. Returns the phase's loss. It steps the
    /// weights as trained (θ back in the model first) and leaves the average as it was: only a
    /// whole `step(_:generator:)` updates it. A GAN's
    /// discriminator trained alone against a fixed generator (made strong first, or trained to
    /// its optimum) takes these steps.
    @discardableResult
    public func step(group index: Int, batch: Batch, generator: inout SeededGenerator) -> Float {
        weightAverage?.useTrainingWeights()
        let parameters = groups[index].parameters
        parameters.zeroGradients()
        let loss = model.accumulateGradients(group: index, batch: batch, generator: &generator)
        if let optimizer = optimizers[index] {
            if let gradientClipNorm { Learner.clip(parameters, toNorm: gradientClipNorm) }
            optimizer.step()
        }
        return loss
    }

    /// Scales the gradients of `parameters` by min(1, maxNorm / ‖g‖₂), ‖g‖₂ over all of them
    /// together (PyTorch's `clip_grad_norm_`). Returns ‖g‖₂ before clipping.
    @discardableResult
    public static func clip(_ parameters: [Parameter], toNorm maxNorm: Float) -> Float {
        let norm = Float(parameters.gradientNorm)
        if norm > maxNorm {
            let scale = maxNorm / norm
            for p in parameters {
                let g = p.gradient.data
                for i in 0..<p.gradient.count { g[i] *= scale }
            }
        }
        return norm
    }
}
