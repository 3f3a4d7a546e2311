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

    /// y = f(x + bias[j]) for every row of a (rows, features) block, in place: one pass over memory.
    /// `bias` may be nil (no bias).
    @inline(__always)
    func applyWithBias(_ y: UnsafeMutablePointer<Float>, rows: Int, features: Int, bias: UnsafePointer<Float>?) {
        for r in 0..<rows {
            let row = y + r * features
            switch self {
            case .identity:
                if let b = bias { for j in 0..<features { row[j] += b[j] } }
            case .relu:
                if let b = bias { for j in 0..<features { row[j] = Swift.max(row[j] + b[j], 0) } }
                else { for j in 0..<features { row[j] = Swift.max(row[j], 0) } }
            case .leakyReLU(let slope):
                for j in 0..<features {
                    let x = row[j] + (bias?[j] ?? 0)
                    row[j] = x > 0 ? x : slope * x
                }
            case .tanh:
                for j in 0..<features { row[j] = tanhf(row[j] + (bias?[j] ?? 0)) }
            case .sigmoid:
                for j in 0..<features { row[j] = stableSigmoid(row[j] + (bias?[j] ?? 0)) }
            }
        }
    }

    /// dPre = dOut * f'(pre), written from the output y = f(pre): every derivative here is a
    /// function of the output, so the layer caches only its output.
    @inline(__always)
    func backward(output y: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
                  dPre: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .identity:
            for i in 0..<count { dPre[i] = dOutput[i] }
        case .relu:
            for i in 0..<count { dPre[i] = y[i] > 0 ? dOutput[i] : 0 }
        case .leakyReLU(let slope):
            for i in 0..<count { dPre[i] = y[i] > 0 ? dOutput[i] : slope * dOutput[i] }
        case .tanh:
            for i in 0..<count { dPre[i] = dOutput[i] * (1 - y[i] * y[i]) }
        case .sigmoid:
            for i in 0..<count { dPre[i] = dOutput[i] * y[i] * (1 - y[i]) }
        }
    }
}

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
        y.data.update(from: input.data, count: input.count)
        activation.applyWithBias(y.data, rows: 1, features: y.count, bias: nil)
        return y
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard computesInputGradient else { return noInputGradient }
        guard let y = output else { preconditionFailure("backward before forward") }
        precondition(dOutput.shape == y.shape, "dOutput \(dOutput.shape) does not match output \(y.shape)")
        let dx = Tensor.reuse(&dInput, shape: y.shape)
        activation.backward(output: y.data, dOutput: dOutput.data, dPre: dx.data, count: y.count)
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
