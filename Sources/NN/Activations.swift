#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An element-wise nonlinearity. `Dense` applies one fused with its bias in a single pass;
/// the layers below apply one on its own. Both use these same kernels.
public enum Activation: Equatable, Sendable, CustomStringConvertible {
    case identity
    /// max(0, x)
    case relu
    /// x for x > 0, slope * x otherwise (slope > 0).
    case leakyReLU(slope: Float)
    /// tanh(x)
    case tanh
    /// 1 / (1 + e^-x)
    case sigmoid

    public var description: String {
        switch self {
        case .identity: return "identity"
        case .relu: return "relu"
        case .leakyReLU(let slope): return "leakyReLU(\(slope))"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        }
    }

    /// ", relu" for a layer's description, or nothing for the identity.
    var listed: String { self == .identity ? "" : ", \(self)" }

    /// y = f(x + bias[j]) for every row of a (rows, features) block, in place: one pass over memory.
    /// `bias` may be nil (no bias).
    /// `adding` is one more constant added to every value (a convolution channel's bias).
    @inline(__always)
    func applyWithBias(
        _ y: UnsafeMutablePointer<Float>, rows: Int, features: Int, bias: UnsafePointer<Float>?,
        adding constant: Float = 0
    ) {
        for r in 0..<rows {
            let row = y + r * features
            switch self {
            case .identity:
                if let b = bias {
                    for j in 0..<features { row[j] += b[j] }
                } else if constant != 0 {
                    for j in 0..<features { row[j] += constant }
                }
            case .relu:
                // max(x, 0) as Swift.max gives it: +0 for ±0, NaN kept (so divergence still shows).
                var j = 0
                while j + 8 <= features {
                    let x = load8(row + j) + (bias.map { load8($0 + j) } ?? SIMD8(repeating: constant))
                    store8(x.replacing(with: 0, where: x .<= 0), row + j)
                    j += 8
                }
                for j in j..<features { row[j] = Swift.max(row[j] + (bias?[j] ?? constant), 0) }
            case .leakyReLU(let slope):
                var j = 0
                while j + 8 <= features {
                    let x = load8(row + j) + (bias.map { load8($0 + j) } ?? SIMD8(repeating: constant))
                    store8(x.replacing(with: slope * x, where: .!(x .> 0)), row + j)
                    j += 8
                }
                for j in j..<features {
                    let x = row[j] + (bias?[j] ?? constant)
                    row[j] = x > 0 ? x : slope * x
                }
            case .tanh:
                tanhInPlace(row, count: features, shift: bias, constant: constant)
            case .sigmoid:
                for j in 0..<features { row[j] = stableSigmoid(row[j] + (bias?[j] ?? constant)) }
            }
        }
    }

    /// `applyWithBias` over the rows of a (rows, features) block, the rows shared out among the
    /// team's threads.
    func applyWithBiasInParallel(
        _ y: UnsafeMutablePointer<Float>, rows: Int, features: Int, bias: UnsafePointer<Float>?
    ) {
        var job = BiasActivationJob(y: y, rows: rows, features: features, bias: bias, activation: self)
        ThreadTeam.shared.run(&job, parallel: rows * features >= elementwiseParallelThreshold) { context, part, parts in
            context.assumingMemoryBound(to: BiasActivationJob.self).pointee.compute(part, of: parts)
        }
    }

    /// dPre = dOut * f'(pre) for a (rows, features) block, and dBias[j] += Σ_rows dPre[:, j], in one
    /// pass: each thread takes a range of columns through every row, so that every bias
    /// gradient is summed over the rows in order by one thread. With the identity, dPre is
    /// dOut itself and only the sums are taken.
    func backwardWithBiasGradient(
        output y: UnsafePointer<Float>, dOutput: UnsafePointer<Float>, dPre: UnsafeMutablePointer<Float>,
        rows: Int, features: Int, dBias: UnsafeMutablePointer<Float>
    ) {
        var job = BiasGradientJob(
            y: y, dOutput: dOutput, dPre: dPre, rows: rows, features: features, dBias: dBias, activation: self)
        ThreadTeam.shared.run(&job, parallel: rows * features >= elementwiseParallelThreshold) { context, part, parts in
            context.assumingMemoryBound(to: BiasGradientJob.self).pointee.compute(part, of: parts)
        }
    }

    /// f over `count` values from `x` into `y`, or (backward) dPre = dOut * f'(pre) from the output,
    /// shared out among the team's threads.
    func applyInParallel(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var job = ElementwiseJob(source: x, extra: nil, target: y, count: count, activation: self)
        ThreadTeam.shared.run(&job, parallel: count >= elementwiseParallelThreshold) { context, part, parts in
            context.assumingMemoryBound(to: ElementwiseJob.self).pointee.compute(part, of: parts)
        }
    }

    /// dPre = dOutput · f'(pre) from the output y = f(pre), in `buffer` (reused across steps), or
    /// dOutput itself for the identity: what a layer with a fused activation hands its own
    /// backward pass.
    func preActivationGradient(output y: Tensor, dOutput: Tensor, buffer: inout Tensor?) -> Tensor {
        guard self != .identity else { return dOutput }
        let dPre = Tensor.reuse(&buffer, shape: y.shape)
        backwardInParallel(output: y.data, dOutput: dOutput.data, dPre: dPre.data, count: y.count)
        return dPre
    }

    func backwardInParallel(
        output y: UnsafePointer<Float>, dOutput: UnsafePointer<Float>, dPre: UnsafeMutablePointer<Float>, count: Int
    ) {
        var job = ElementwiseJob(source: y, extra: dOutput, target: dPre, count: count, activation: self)
        ThreadTeam.shared.run(&job, parallel: count >= elementwiseParallelThreshold) { context, part, parts in
            context.assumingMemoryBound(to: ElementwiseJob.self).pointee.compute(part, of: parts)
        }
    }

    /// dPre = dOut * f'(pre), written from the output y = f(pre): every derivative here is a
    /// function of the output, so the layer caches only its output.
    @inline(__always)
    func backward(
        output y: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
        dPre: UnsafeMutablePointer<Float>, count: Int
    ) {
        // Eight at a time, written as vectors because the compiler left the selects scalar;
        // each lane computes exactly what the scalar tail does, so the bits do not change.
        var i = 0
        switch self {
        case .identity:
            dPre.update(from: dOutput, count: count)
            return
        case .relu:
            while i + 8 <= count {
                store8(load8(dOutput + i).replacing(with: 0, where: .!(load8(y + i) .> 0)), dPre + i); i += 8
            }
            for i in i..<count { dPre[i] = y[i] > 0 ? dOutput[i] : 0 }
        case .leakyReLU(let slope):
            while i + 8 <= count {
                let d = load8(dOutput + i)
                store8(d.replacing(with: slope * d, where: .!(load8(y + i) .> 0)), dPre + i)
                i += 8
            }
            for i in i..<count { dPre[i] = y[i] > 0 ? dOutput[i] : slope * dOutput[i] }
        case .tanh:
            while i + 8 <= count { let t = load8(y + i); store8(load8(dOutput + i) * (1 - t * t), dPre + i); i += 8 }
            for i in i..<count { dPre[i] = dOutput[i] * (1 - y[i] * y[i]) }
        case .sigmoid:
            while i + 8 <= count { let s = load8(y + i); store8(load8(dOutput + i) * s * (1 - s), dPre + i); i += 8 }
            for i in i..<count { dPre[i] = dOutput[i] * y[i] * (1 - y[i]) }
        }
    }
}

/// Element-wise passes over fewer values than this run on one thread.
let elementwiseParallelThreshold = 1 << 14

/// 1 / (1 + e^-x) without overflow for large |x|.
@inline(__always)
public func stableSigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + expf(-x)) }
    let e = expf(x)
    return e / (1 + e)
}

/// A layer applying one `Activation` element by element.
public class ElementwiseActivation: Layer {
    /// The nonlinearity.
    public let activation: Activation
    public var computesInputGradient = true
    private var output: Tensor?
    private var dInput: Tensor?

    init(_ activation: Activation) {
        if case .leakyReLU(let slope) = activation {
            precondition(slope > 0, "LeakyReLU needs a positive slope (its backward pass reads the sign of the output)")
        }
        self.activation = activation
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let y = Tensor.reuse(&output, shape: input.shape)
        activation.applyInParallel(input.data, into: y.data, count: input.count)
        return y
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard computesInputGradient else { return noInputGradient }
        guard let y = output else { preconditionFailure("backward before forward") }
        precondition(dOutput.shape == y.shape, "dOutput \(dOutput.shape) does not match output \(y.shape)")
        let dx = Tensor.reuse(&dInput, shape: y.shape)
        activation.backwardInParallel(output: y.data, dOutput: dOutput.data, dPre: dx.data, count: y.count)
        return dx
    }

    public var description: String {
        switch activation {
        case .relu: return "ReLU"
        case .leakyReLU(let slope): return "LeakyReLU(\(slope))"
        case .tanh: return "Tanh"
        case .sigmoid: return "Sigmoid"
        case .identity: return "Identity"
        }
    }
}

/// max(0, x).
public final class ReLU: ElementwiseActivation { public init() { super.init(.relu) } }
/// x for x > 0, slope * x otherwise.
public final class LeakyReLU: ElementwiseActivation {
    public init(slope: Float = 0.2) { super.init(.leakyReLU(slope: slope)) }
}
/// tanh(x).
public final class Tanh: ElementwiseActivation { public init() { super.init(.tanh) } }
/// 1 / (1 + e^-x).
public final class Sigmoid: ElementwiseActivation { public init() { super.init(.sigmoid) } }
/// f(x) = x: a place holder where a network's shape asks for an activation.
public final class Identity: ElementwiseActivation { public init() { super.init(.identity) } }

extension ElementwiseActivation {
    /// The stand-alone layer applying `activation`.
    public static func layer(_ activation: Activation) -> ElementwiseActivation {
        switch activation {
        case .relu: return ReLU()
        case .leakyReLU(let slope): return LeakyReLU(slope: slope)
        case .tanh: return Tanh()
        case .sigmoid: return Sigmoid()
        case .identity: return Identity()
        }
    }
}
