import Models
import NN

// The weights averaged over training, with an exponential window (Polyak averaging; the "EMA"
// of weights that DDPM samples with, Ho et al. 2020, at a decay of 0.9999). After every step,
//   θ̄ ← d · θ̄ + (1 − d) · θ,   d = min(decay, (1 + n) / (10 + n)),
// n the steps averaged before: the ramp (TensorFlow's ExponentialMovingAverage with its update
// count) lets a short run's average forget its random start instead of dragging it along for
// 1 / (1 − decay) steps. The training steps move θ; evaluation, sampling and every figure read θ̄.
//
// Between epochs, and in every checkpoint the Trainer writes, the model holds θ̄ and this object
// θ: a file loaded for sampling has the averaged weights under the model's own names (as
// PyTorch loads them), and a step swaps θ back in first.

/// θ̄, the average of a model's weights over its training steps, and the swap between it and θ.
public final class WeightAverage {
    /// The decay the ramp rises to.
    public let decay: Float
    private let parameters: [Parameter]
    /// The copy the model does not hold: θ̄ while it trains, θ while it holds θ̄.
    private let other: [Tensor]
    /// [steps averaged, 1 if the model holds θ̄]: in the checkpoint, so that a resumed run
    /// averages on as an unbroken one would.
    private let state = Tensor(zeros: [2])

    /// θ̄ over `parameters`, starting from their values now.
    public init(_ parameters: [Parameter], decay: Float) {
        precondition(decay > 0 && decay < 1, "a weight average's decay lies strictly between 0 and 1, not \(decay)")
        self.parameters = parameters
        self.decay = decay
        other = parameters.map { $0.value.copy() }
    }

    /// Whether the model's parameters hold θ̄ now.
    public var modelHoldsAverage: Bool { state[1] == 1 }
    /// How many steps θ̄ has averaged.
    public var steps: Int { Int(state[0]) }

    /// θ̄ into the model: for evaluating, sampling, drawing and saving.
    public func useAverage() { if !modelHoldsAverage { swap() } }

    /// θ into the model: for a training step.
    public func useTrainingWeights() { if modelHoldsAverage { swap() } }

    /// θ̄ ← d · θ̄ + (1 − d) · θ, after a step on θ.
    func update() {
        precondition(!modelHoldsAverage, "the weight average is updated after a step on the training weights")
        let n = state[0], d = Self.rampedDecay(decay, stepsBefore: n)
        for (parameter, average) in zip(parameters, other) {
            let theta = parameter.value.data, mean = average.data
            for i in 0..<average.count { mean[i] = d * mean[i] + (1 - d) * theta[i] }
        }
        state[0] = n + 1
    }

    /// The d of the update after `n` steps averaged: min(decay, (1 + n) / (10 + n)), the ramp.
    public static func rampedDecay(_ decay: Float, stepsBefore n: Float) -> Float { min(decay, (1 + n) / (10 + n)) }

    private func swap() {
        for (parameter, kept) in zip(parameters, other) {
            let a = parameter.value.data, b = kept.data
            for i in 0..<kept.count { (a[i], b[i]) = (b[i], a[i]) }
        }
        state[1] = 1 - state[1]
    }

    /// What a checkpoint keeps besides the model's tensors: the other copy under its
    /// parameters' names (θ, in every file the Trainer writes) and the state.
    var tensors: [NamedTensor] {
        zip(parameters, other).map { NamedTensor(name: "weight_average." + $0.name, value: $1) }
            + [NamedTensor(name: WeightAverage.stateName, value: state)]
    }

    static let stateName = "weight_average.state"

    /// Why a file's state cannot be this object's, or nil: a whole number of steps up to 2²⁴
    /// (the Float holds every count up to there), and θ̄ in the model, as the Trainer writes it.
    static func problem(withState values: [Float]) -> String? {
        guard values.count == 2, values[0] >= 0, values[0] <= 16_777_216, values[0].rounded() == values[0] else {
            return
                "its weight average's step count is \(values.first.map { "\($0)" } ?? "missing"), expected a whole number from 0 to 2²⁴"
        }
        guard values[1] == 1 else {
            return
                "its weight average's state says the model holds \(values[1]), expected 1 (the averaged weights, as gen writes them)"
        }
        return nil
    }
}

extension WeightAverage {
    /// The weights as trained (θ) that the checkpoint of an averaged run keeps beside θ̄, copied
    /// into `model`'s parameters: the same run at the same step without the average, to compare
    /// the two. The model's other state (an AE's code range, say) is the file's own, as for θ̄.
    /// `model` is a fresh model of the run's configuration; every tensor must be in the file with
    /// its shape, and nothing is copied unless all are.
    public static func loadTrainedWeights(into model: any TrainableModel, from path: String) throws {
        let checkpoint = try Checkpoint.read(path)
        guard checkpoint.contents[stateName] != nil else {
            throw FileError(path: path, "holds no weights as trained: its run did not average its weights")
        }
        let parameters = model.parameterGroups.flatMap(\.parameters).deduplicated()
        let averaged = Set(parameters.map(\.name))
        let destinations =
            parameters.map { (name: "weight_average." + $0.name, value: $0.value) }
            + model.stateTensors.filter { !averaged.contains($0.name) }.map { (name: $0.name, value: $0.value) }
        let sources = try destinations.map { destination in
            guard let source = checkpoint.contents[destination.name], source.shape == destination.value.shape else {
                throw FileError(
                    path: path,
                    "has no tensor '\(destination.name)' of shape \(destination.value.shape) (another model?)")
            }
            return source
        }
        for (destination, source) in zip(destinations, sources) { destination.value.assign(source) }
    }
}
