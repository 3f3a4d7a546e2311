#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Losses with their gradients, each computed in one pass over memory. N: batch, F: values per item.
// Every loss states its reduction, because a sum-vs-mean mix-up silently changes a VAE's beta.

/// How per-element losses become one number.
public enum Reduction: String, Sendable, Codable {
    /// Summed over each item's values, then averaged over the items: "BCE summed over pixels,
    /// averaged over images", the VAE paper's per-image loss.
    case sumPerItem
    /// Averaged over every value (PyTorch's default `reduction="mean"`).
    case mean
    /// Summed over every value.
    case sum

    /// The factor that turns the total sum into this reduction, for `count` values in `items` items.
    public func scale(count: Int, items: Int) -> Float {
        switch self {
        case .sumPerItem: return 1 / Float(Swift.max(items, 1))
        case .mean: return 1 / Float(Swift.max(count, 1))
        case .sum: return 1
        }
    }

    /// Words for reports: what was summed and what was averaged.
    public func describe(value: String, item: String) -> String {
        switch self {
        case .sumPerItem: return "summed over \(value), averaged over \(item)"
        case .mean: return "averaged over \(value) and \(item)"
        case .sum: return "summed over \(value) and \(item)"
        }
    }
}

/// Binary cross-entropy between sigmoid(logits) and targets in [0, 1], computed from the
/// logits so that it stays finite: ℓ = max(z, 0) - z·t + log(1 + e^-|z|), dℓ/dz = σ(z) - t.
public final class BinaryCrossEntropyWithLogits {
    public let reduction: Reduction
    private var gradientBuffer: Tensor?
    private let partialSums = PartialSums()

    public init(reduction: Reduction = .sumPerItem) { self.reduction = reduction }

    /// The loss, and dLoss/dLogits in this loss's own buffer (overwritten by the next call).
    public func lossAndGradient(logits: Tensor, targets: Tensor) -> (loss: Float, gradient: Tensor) {
        checkShapes(logits, targets)
        let g = Tensor.reuse(&gradientBuffer, shape: logits.shape)
        return (run(logits, targets, gradient: g.data), g)
    }

    /// The loss alone (evaluation): the same pass, without writing a gradient.
    public func loss(logits: Tensor, targets: Tensor) -> Float {
        checkShapes(logits, targets)
        return run(logits, targets, gradient: nil)
    }

    private func run(_ logits: Tensor, _ targets: Tensor, gradient: UnsafeMutablePointer<Float>?) -> Float {
        let scale = reduction.scale(count: logits.count, items: logits.shape[0])
        var job = BCEJob(
            z: logits.data, t: targets.data, gradient: gradient, count: logits.count, scale: scale, sums: partialSums)
        ThreadTeam.shared.run(&job, parallel: logits.count >= 1 << 14) { context, part, parts in
            context.assumingMemoryBound(to: BCEJob.self).pointee.compute(part, of: parts)
        }
        return Float(partialSums.total) * scale
    }
}

/// BCE with logits (and its gradient, when asked for) over a range of values per part, eight
/// at a time; each part's loss sum goes to its own slot.
struct BCEJob {
    let z, t: UnsafePointer<Float>
    let gradient: UnsafeMutablePointer<Float>?
    let count: Int
    let scale: Float
    let sums: PartialSums

    func compute(_ part: Int, of parts: Int) {
        if part == 0 { sums.parts.pointee = parts }
        var sum = 0.0
        let range = ThreadTeam.range(part, of: parts, in: count)
        var i = range.lowerBound
        while i < range.upperBound {
            // Σ log(1 + e^-|z|) over 128 values as the logarithm of one product: each factor lies
            // in [1, 2], so a lane's sixteen stay below 2¹⁶ (to float precision) and the eight
            // lanes' product below 2¹²⁸ (in Double); one log then serves 128 values, where a log
            // per value cost more than the rest of the loss.
            var products = SIMD8<Float>(repeating: 1), linear = SIMD8<Float>(repeating: 0)
            let blockEnd = Swift.min(i + 128, range.upperBound)
            while i < blockEnd {
                let lanes = Swift.min(8, blockEnd - i)
                var zi = SIMD8<Float>(repeating: 0), ti = SIMD8<Float>(repeating: 0)
                if lanes == 8 {
                    zi = load8(z + i); ti = load8(t + i)
                } else {
                    for l in 0..<lanes { zi[l] = z[i + l]; ti[l] = t[i + l] }
                }
                // One exponential serves both: e = e^-|z| gives log(1 + e^-|z|) and σ(z).
                let e = vectorExp(-zi.replacing(with: -zi, where: zi .< 0))
                let onePlusE = 1 + e
                linear += zi.replacing(with: 0, where: zi .< 0) - zi * ti
                // A partial group's empty lanes add nothing: zero to the linear part, 1 to the product.
                products *=
                    lanes == 8
                    ? onePlusE
                    : onePlusE.replacing(with: 1, where: SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) .>= Int32(lanes))
                if let gradient {
                    let inverse = 1 / onePlusE
                    let sigmoid = inverse.replacing(with: e * inverse, where: zi .< 0)
                    let g = (sigmoid - ti) * scale
                    if lanes == 8 { store8(g, gradient + i) } else { for l in 0..<lanes { gradient[i + l] = g[l] } }
                }
                i += lanes
            }
            var product = 1.0
            for l in 0..<8 { sum += Double(linear[l]); product *= Double(products[l]) }
            sum += log(product)
        }
        sums.sums[part] = sum
    }
}

/// Softmax cross-entropy on logits z (N, K) against class labels y_n in 0..<K:
///   ℓ_n = −log softmax(z_n)[y_n] = logsumexp(z_n) − z_n[y_n],   dℓ_n/dz_n = softmax(z_n) − onehot(y_n),
/// the max subtracted before exponentiating so that it stays finite; averaged over the N images.
public final class SoftmaxCrossEntropy {
    private var gradientBuffer: Tensor?

    public init() {}

    /// "softmax cross-entropy, averaged over images".
    public var description: String { "softmax cross-entropy, averaged over images" }

    /// The loss, and dLoss/dLogits in this loss's own buffer.
    public func lossAndGradient(logits: Tensor, labels: some RandomAccessCollection<Int>) -> (
        loss: Float, gradient: Tensor
    ) {
        let g = Tensor.reuse(&gradientBuffer, shape: logits.shape)
        return (Float(accumulate(logits, labels, gradient: g.data)), g)
    }

    /// The loss alone (evaluation), allocating nothing.
    public func loss(logits: Tensor, labels: some RandomAccessCollection<Int>) -> Float {
        Float(accumulate(logits, labels, gradient: nil))
    }

    private func accumulate(
        _ logits: Tensor, _ labels: some RandomAccessCollection<Int>, gradient: UnsafeMutablePointer<Float>?
    ) -> Double {
        let n = logits.shape[0], k = logits.shape.countPerItem
        precondition(labels.count == n, "softmax cross-entropy: \(labels.count) labels for \(n) rows of logits")
        let scale = 1 / Float(Swift.max(n, 1))
        var total = 0.0
        for (r, label) in labels.enumerated() {
            precondition(label >= 0 && label < k, "softmax cross-entropy: label \(label) outside the \(k) classes")
            let z = logits.data + r * k
            var largest = z[0]
            for j in 1..<k { largest = Swift.max(largest, z[j]) }
            var sum: Float = 0
            for j in 0..<k { sum += expf(z[j] - largest) }
            total += Double(largest + logf(sum) - z[label])
            if let gradient {
                for j in 0..<k { gradient[r * k + j] = (expf(z[j] - largest) / sum - (j == label ? 1 : 0)) * scale }
            }
        }
        return total * Double(scale)
    }
}

/// Squared error: ℓ = (y - t)², dℓ/dy = 2(y - t).
public final class MeanSquaredError {
    public let reduction: Reduction
    private var gradientBuffer: Tensor?

    public init(reduction: Reduction = .mean) { self.reduction = reduction }

    /// The loss, and dLoss/dPrediction in this loss's own buffer.
    public func lossAndGradient(prediction: Tensor, targets: Tensor) -> (loss: Float, gradient: Tensor) {
        checkShapes(prediction, targets)
        let g = Tensor.reuse(&gradientBuffer, shape: prediction.shape)
        let scale = reduction.scale(count: prediction.count, items: prediction.shape[0])
        var total = 0.0
        for i in 0..<prediction.count {
            let d = prediction.data[i] - targets.data[i]
            total += Double(d * d)
            g.data[i] = 2 * d * scale
        }
        return (Float(total) * scale, g)
    }

    /// The loss alone (evaluation).
    public func loss(prediction: Tensor, targets: Tensor) -> Float {
        checkShapes(prediction, targets)
        var total = 0.0
        for i in 0..<prediction.count {
            let d = prediction.data[i] - targets.data[i]
            total += Double(d * d)
        }
        return Float(total) * reduction.scale(count: prediction.count, items: prediction.shape[0])
    }
}

/// KL(N(mu, exp(logVar)) ‖ N(0, I)) = -½ Σ (1 + logVar - mu² - exp(logVar)), summed over latent
/// units. Gradients: dKL/dmu = mu, dKL/dlogVar = ½ (exp(logVar) - 1).
public final class GaussianKLDivergence {
    public let reduction: Reduction
    private var dMuBuffer: Tensor?
    private var dLogVarBuffer: Tensor?

    public init(reduction: Reduction = .sumPerItem) { self.reduction = reduction }

    /// The divergence, and its gradients with respect to mu and logVar (this loss's own buffers).
    public func lossAndGradients(mu: Tensor, logVar: Tensor) -> (loss: Float, dMu: Tensor, dLogVar: Tensor) {
        checkShapes(mu, logVar)
        let dMu = Tensor.reuse(&dMuBuffer, shape: mu.shape)
        let dLogVar = Tensor.reuse(&dLogVarBuffer, shape: mu.shape)
        let scale = reduction.scale(count: mu.count, items: mu.shape[0])
        var total = 0.0
        for i in 0..<mu.count {
            let m = mu.data[i], lv = logVar.data[i], v = expf(lv)
            total += Double(-0.5 * (1 + lv - m * m - v))
            dMu.data[i] = m * scale
            dLogVar.data[i] = 0.5 * (v - 1) * scale
        }
        return (Float(total) * scale, dMu, dLogVar)
    }

    /// The divergence alone (evaluation).
    public func loss(mu: Tensor, logVar: Tensor) -> Float {
        checkShapes(mu, logVar)
        var total = 0.0
        for i in 0..<mu.count {
            let m = mu.data[i], lv = logVar.data[i]
            total += Double(-0.5 * (1 + lv - m * m - expf(lv)))
        }
        return Float(total) * reduction.scale(count: mu.count, items: mu.shape[0])
    }
}

func checkShapes(_ a: Tensor, _ b: Tensor) {
    precondition(a.shape == b.shape, "loss inputs have shapes \(a.shape) and \(b.shape)")
}
