import NN

// What an autoencoder's code units are and what regularises them: their activation, a sparsity
// penalty (L1 or KL), the contractive penalty. `CodePenalties` adds the chosen penalties'
// gradients to dLoss/dCode in one place for every autoencoder step.

/// The activation of the code units (the encoder's last layer).
public enum CodeActivation: String, Codable, Sendable, CaseIterable {
    case identity, sigmoid, relu, tanh

    /// The layer activation it names.
    public var activation: Activation {
        switch self {
        case .identity: return .identity
        case .sigmoid: return .sigmoid
        case .relu: return .relu
        case .tanh: return .tanh
        }
    }
}

/// A sparsity penalty on the code.
public enum Sparsity: Equatable, Sendable, CustomStringConvertible {
    /// λ Σ_j |h_j| per image.
    case l1(weight: Float)
    /// w Σ_j KL(ρ ‖ ρ̂_j), ρ̂_j the batch's mean activation of sigmoid unit j.
    case kl(target: Float, weight: Float)

    /// Parses `l1:LAMBDA` or `kl:RHO:WEIGHT`; nil otherwise.
    public init?(argument: String) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
        let numbers = parts.dropFirst().compactMap { Float($0) }.filter(\.isFinite)
        guard numbers.count == parts.count - 1 else { return nil }
        switch (parts.first, numbers.count) {
        case ("l1", 1) where numbers[0] > 0 && numbers[0] <= 1000: self = .l1(weight: numbers[0])
        case ("kl", 2) where numbers[0] > 0 && numbers[0] < 1 && numbers[1] > 0 && numbers[1] <= 1000:
            self = .kl(target: numbers[0], weight: numbers[1])
        default: return nil
        }
    }

    /// What the flag's value must look like.
    public static let expected = "l1:LAMBDA (0 < LAMBDA ≤ 1000) or kl:RHO:WEIGHT (0 < RHO < 1, 0 < WEIGHT ≤ 1000)"

    /// The flag's spelling: `kl:0.05:3`.
    public var argument: String {
        switch self {
        case .l1(let weight): return "l1:\(weight)"
        case .kl(let target, let weight): return "kl:\(target):\(weight)"
        }
    }

    public var description: String {
        switch self {
        case .l1(let weight): return L1ActivityPenalty(weight: weight).description
        case .kl(let target, let weight): return KLSparsityPenalty(target: target, weight: weight).description
        }
    }
}

extension Sparsity: ArgumentCodable {}

/// What an autoencoder is trained to do besides its shape: the reconstruction loss, the input's
/// corruption (a denoising AE) and the code's penalties (sparse, contractive).
public struct AutoencoderObjective: Equatable, Sendable {
    /// How the output is scored against the clean image.
    public var reconstruction = ReconstructionLoss.bce
    /// The input's corruption, or nil for the clean image.
    public var corruption: Corruption?
    /// A sparsity penalty on the code, or nil.
    public var sparsity: Sparsity?
    /// λ of the contractive penalty λ ‖J_f(x)‖²_F; 0 for none.
    public var contraction: Float = 0

    public init(
        reconstruction: ReconstructionLoss = .bce, corruption: Corruption? = nil, sparsity: Sparsity? = nil,
        contraction: Float = 0
    ) {
        self.reconstruction = reconstruction
        self.corruption = corruption
        self.sparsity = sparsity
        self.contraction = contraction
    }

    /// Whether the code gets a penalty.
    public var penalised: Bool { sparsity != nil || contraction > 0 }

    /// The loss in words, with every term's reduction.
    public var description: String {
        var terms = [
            reconstruction.description
                + (corruption.map { " of the clean image from its corrupted copy (\($0))" } ?? "")
        ]
        if let sparsity { terms.append(sparsity.description) }
        if contraction > 0 { terms.append(ContractivePenalty(weight: contraction).description) }
        return terms.joined(separator: " + ")
    }

    /// Why an encoder whose last layer has `codeActivation` and which is `oneLayer` or not cannot
    /// be trained with this objective, or nil.
    public func problem(codeActivation: CodeActivation, oneLayerEncoder: Bool) -> ModelProblem? {
        if case .kl = sparsity, codeActivation != .sigmoid { return .klSparsityNeedsSigmoidCode }
        if contraction > 0 && !oneLayerEncoder { return .contractionNeedsOneLayerEncoder }
        return nil
    }
}

/// The code penalties of an objective, computed on a batch's codes.
final class CodePenalties {
    private let l1: L1ActivityPenalty?
    private let kl: KLSparsityPenalty?
    private let contractive: ContractivePenalty?
    /// The encoder layer producing the code (needed by the contractive penalty).
    private let codeLayer: Dense?

    init(_ objective: AutoencoderObjective, codeLayer: Dense?) {
        switch objective.sparsity {
        case .l1(let weight)?: (l1, kl) = (L1ActivityPenalty(weight: weight), nil)
        case .kl(let target, let weight)?: (l1, kl) = (nil, KLSparsityPenalty(target: target, weight: weight))
        case nil: (l1, kl) = (nil, nil)
        }
        contractive = objective.contraction > 0 ? ContractivePenalty(weight: objective.contraction) : nil
        precondition(
            contractive == nil || codeLayer != nil, "the contractive penalty needs the encoder's one Dense layer")
        self.codeLayer = codeLayer
    }

    /// The penalties' sum on codes `h`; adds their gradients into `dCode` (the gradient flowing
    /// back into `h`) and the contractive term's into the code layer's weight gradient.
    func apply(codes h: Tensor, addingInto dCode: Tensor) -> Float {
        var total: Float = 0
        if let l1 {
            let (value, g) = l1.lossAndGradient(activations: h)
            dCode.add(g); total += value
        }
        if let kl {
            let (value, g) = kl.lossAndGradient(activations: h)
            dCode.add(g); total += value
        }
        if let contractive, let codeLayer {
            let (value, g) = contractive.lossAndGradient(codes: h, layer: codeLayer)
            dCode.add(g); total += value
        }
        return total
    }
}
