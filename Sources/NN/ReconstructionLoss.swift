// How an autoencoder's output is compared with its target, and the likelihood each choice
// assumes. Both are summed over pixels and averaged over images (`Reduction.sumPerItem`): the
// per-image negative log-likelihood (up to a constant), so that a VAE's KL term weighs the same
// whichever is chosen.

/// The reconstruction term of an autoencoder's loss.
public enum ReconstructionLoss: String, Codable, Sendable, CaseIterable {
    /// Binary cross-entropy on logits: −log p(x | x̂) for Bernoulli pixels with means
    /// sigmoid(output), exact for binary images and a common stand-in for grey ones.
    case bce
    /// Squared error Σ (output − x)²: −log N(x; output, ½ I) up to a constant, a Gaussian with
    /// fixed variance ½ around the output, which is the pixels' mean itself (no sigmoid).
    case mse

    /// The likelihood it assumes, in words.
    public var likelihood: String {
        switch self {
        case .bce: return "Bernoulli pixels with means sigmoid(output)"
        case .mse: return "Gaussian pixels with means output and fixed variance ½"
        }
    }

    /// "BCE summed over pixels, averaged over images".
    public var description: String {
        (self == .bce ? "BCE" : "squared error") + " " + Reduction.sumPerItem.describe(value: "pixels", item: "images")
    }

    /// What a per-image error under this loss is, for figure captions.
    public var errorNote: String { (self == .bce ? "BCE" : "squared error") + " summed over pixels" }

    /// A pixel value in [0, 1] from one output value: sigmoid of a logit, or the Gaussian's
    /// mean clamped into the pixel range.
    @inline(__always)
    public func pixel(_ output: Float) -> Float {
        switch self {
        case .bce: return stableSigmoid(output)
        case .mse: return Swift.min(Swift.max(output, 0), 1)
        }
    }

    /// The criterion computing this loss (with its own gradient buffer).
    public func criterion() -> ReconstructionCriterion { ReconstructionCriterion(self) }
}

/// A `ReconstructionLoss` with the buffers its gradient is written to.
public final class ReconstructionCriterion {
    public let kind: ReconstructionLoss
    private let crossEntropy = BinaryCrossEntropyWithLogits(reduction: .sumPerItem)
    private let squaredError = MeanSquaredError(reduction: .sumPerItem)

    public init(_ kind: ReconstructionLoss) { self.kind = kind }

    /// The loss of `output` against `targets` (both (N, F)), and dLoss/dOutput in this
    /// criterion's own buffer.
    public func lossAndGradient(output: Tensor, targets: Tensor) -> (loss: Float, gradient: Tensor) {
        switch kind {
        case .bce: return crossEntropy.lossAndGradient(logits: output, targets: targets)
        case .mse: return squaredError.lossAndGradient(prediction: output, targets: targets)
        }
    }

    /// The loss alone (evaluation).
    public func loss(output: Tensor, targets: Tensor) -> Float {
        switch kind {
        case .bce: return crossEntropy.loss(logits: output, targets: targets)
        case .mse: return squaredError.loss(prediction: output, targets: targets)
        }
    }
}
