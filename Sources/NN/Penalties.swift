#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The penalties that regularise an autoencoder's code h (N, J): N images, J code units. Each
// returns its value and dPenalty/dh in its own buffer (overwritten by the next call), which the
// model adds to the gradient flowing back into the code; the contractive penalty also adds to
// the encoder weight's gradient. Every reduction is stated, as for the losses.

/// The sparse autoencoder's L1 activity penalty: λ Σ_j |h_j| per image, dℓ/dh = λ sign(h).
public final class L1ActivityPenalty {
    /// λ, the penalty's weight.
    public let weight: Float
    public let reduction: Reduction
    private var gradientBuffer: Tensor?

    public init(weight: Float, reduction: Reduction = .sumPerItem) {
        self.weight = weight
        self.reduction = reduction
    }

    /// "λ Σ|h| (λ = 0.001), summed over code units, averaged over images".
    public var description: String { "\(weight) Σ|h|, " + reduction.describe(value: "code units", item: "images") }

    /// The penalty, and dPenalty/dActivations in this penalty's own buffer; add it to the
    /// gradient flowing back into the activations.
    public func lossAndGradient(activations h: Tensor) -> (loss: Float, gradient: Tensor) {
        let g = Tensor.reuse(&gradientBuffer, shape: h.shape)
        let scale = weight * reduction.scale(count: h.count, items: h.shape[0])
        var total = 0.0
        for i in 0..<h.count {
            let x = h.data[i]
            total += Double(Swift.abs(x))
            g.data[i] = x > 0 ? scale : (x < 0 ? -scale : 0)
        }
        return (Float(total) * scale, g)
    }
}

/// The sparse autoencoder's KL penalty (Ng's lecture notes, "Sparse autoencoder"): with
/// ρ̂_j = (1/N) Σ_n h_nj the batch's mean activation of sigmoid unit j,
///   P = w Σ_j KL(ρ ‖ ρ̂_j),  KL(ρ ‖ ρ̂) = ρ log(ρ/ρ̂) + (1-ρ) log((1-ρ)/(1-ρ̂)),
///   dP/dh_nj = (w/N) (-ρ/ρ̂_j + (1-ρ)/(1-ρ̂_j)).
/// One value per batch (a batch statistic, not a per-image sum): the same scale whatever N is.
public final class KLSparsityPenalty {
    /// ρ, the target mean activation, in (0, 1).
    public let target: Float
    /// w, the penalty's weight.
    public let weight: Float
    private var gradientBuffer: Tensor?
    private var means: Tensor?

    public init(target: Float, weight: Float) {
        precondition(target > 0 && target < 1, "the KL sparsity target ρ must lie in (0, 1), got \(target)")
        self.target = target
        self.weight = weight
    }

    public var description: String {
        "\(weight) Σ_j KL(\(target) ‖ ρ̂_j), ρ̂_j the batch's mean activation of code unit j"
    }

    /// The penalty on activations `h` in [0, 1] (sigmoid units), and dPenalty/dh.
    public func lossAndGradient(activations h: Tensor) -> (loss: Float, gradient: Tensor) {
        let n = h.shape[0], units = h.shape.countPerItem
        let g = Tensor.reuse(&gradientBuffer, shape: h.shape)
        let rhoHat = Tensor.reuse(&means, shape: Shape(units))
        rhoHat.fill(0)
        for i in 0..<n { for j in 0..<units { rhoHat.data[j] += h.data[i * units + j] } }
        let rho = Double(target)
        var total = 0.0
        for j in 0..<units {
            // Kept off 0 and 1, where the divergence and its slope are infinite.
            let m = min(max(Double(rhoHat.data[j]) / Double(n), 1e-6), 1 - 1e-6)
            total += rho * log(rho / m) + (1 - rho) * log((1 - rho) / (1 - m))
            rhoHat.data[j] = Float(Double(weight) * (-rho / m + (1 - rho) / (1 - m)) / Double(n))
        }
        for i in 0..<n { for j in 0..<units { g.data[i * units + j] = rhoHat.data[j] } }
        return (Float(total) * weight, g)
    }
}

/// The contractive autoencoder's penalty (Rifai et al. 2011), λ ‖J_f(x)‖²_F per image, for a
/// one-layer encoder h = s(W x + b) with W (J, I). Then J_f(x) = diag(s'(a)) W, so
///   ‖J_f(x)‖²_F = Σ_j s'(a_j)² ‖W_j‖²        (W_j: row j of W)
/// and, averaged over the N images of a batch,
///   dP/dh_nj = (λ/N) 2 s'(a_nj) (ds'/dh)(h_nj) ‖W_j‖²     (the encoder's backward then multiplies by s')
///   dP/dW_j  = (λ/N) Σ_n s'(a_nj)² 2 W_j                   (added to W's gradient here).
/// s' is written from the output h = s(a): sigmoid h(1-h), tanh 1-h², ReLU 1[h>0].
public final class ContractivePenalty {
    /// λ, the penalty's weight.
    public let weight: Float
    private var gradientBuffer: Tensor?
    private var rowNorms: Tensor?, slopeMeans: Tensor?

    public init(weight: Float) { self.weight = weight }

    public var description: String { "\(weight) ‖J_f(x)‖²_F, averaged over images" }

    /// The penalty for the codes `h` (N, J) that `layer` produced, and dP/dh; adds dP/dW to
    /// `layer`'s weight gradient.
    public func lossAndGradient(codes h: Tensor, layer: Dense) -> (loss: Float, gradient: Tensor) {
        let n = h.shape[0], units = layer.outputSize, inputs = layer.inputSize
        precondition(h.shape == Shape(n, units), "contractive penalty: codes \(h.shape) do not match \(layer)")
        let w = layer.weight.value.data, dW = layer.weight.gradient.data, s = layer.activation
        let norms = Tensor.reuse(&rowNorms, shape: Shape(units)), means = Tensor.reuse(&slopeMeans, shape: Shape(units))
        for j in 0..<units {
            var sum: Float = 0
            for i in 0..<inputs { sum += w[j * inputs + i] * w[j * inputs + i] }
            norms.data[j] = sum
            means.data[j] = 0
        }
        let g = Tensor.reuse(&gradientBuffer, shape: h.shape)
        let scale = weight / Float(max(n, 1))
        var total = 0.0
        for r in 0..<n {
            for j in 0..<units {
                let y = h.data[r * units + j], slope = s.slope(output: y)
                total += Double(slope * slope * norms.data[j])
                means.data[j] += slope * slope
                g.data[r * units + j] = scale * 2 * slope * s.slopeChange(output: y) * norms.data[j]
            }
        }
        for j in 0..<units {
            let c = 2 * scale * means.data[j]
            for i in 0..<inputs { dW[j * inputs + i] += c * w[j * inputs + i] }
        }
        return (Float(total) * scale, g)
    }
}

extension Activation {
    /// f'(a), written from the output y = f(a).
    @inline(__always)
    public func slope(output y: Float) -> Float {
        switch self {
        case .identity: return 1
        case .relu: return y > 0 ? 1 : 0
        case .leakyReLU(let slope): return y > 0 ? 1 : slope
        case .tanh: return 1 - y * y
        case .sigmoid: return y * (1 - y)
        }
    }

    /// d f'(a) / dy: how the slope changes with the output (zero where f is piecewise linear).
    @inline(__always)
    public func slopeChange(output y: Float) -> Float {
        switch self {
        case .identity, .relu, .leakyReLU: return 0
        case .tanh: return -2 * y
        case .sigmoid: return 1 - 2 * y
        }
    }
}
