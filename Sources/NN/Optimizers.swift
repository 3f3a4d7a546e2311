#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Updates parameters from their accumulated gradients.
public protocol Optimizer: AnyObject {
    /// The parameters this optimizer updates.
    var parameters: [Parameter] { get }
    /// The step size.
    var learningRate: Float { get set }
    /// One update of every parameter from its gradient. Does not clear the gradients.
    func step()
    /// The optimizer's own state (moments, step count) for checkpoints, named after the parameters.
    var state: [NamedTensor] { get }
}

extension Optimizer {
    /// Sets every parameter's gradient to zero.
    public func zeroGradients() { parameters.zeroGradients() }
}

/// Stochastic gradient descent with momentum, as PyTorch writes it:
/// v ← μ v + g,  θ ← θ - η v   (μ = 0 is plain SGD).
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let momentum: Float
    private let velocities: [Tensor]

    public init(parameters: [Parameter], learningRate: Float, momentum: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        velocities = parameters.map { Tensor(zeros: $0.value.shape) }
    }

    public func step() {
        OptimizerLog.shared.timed {
            for (p, v) in zip(parameters, velocities) {
                let theta = p.value.data, g = p.gradient.data, vel = v.data
                for i in 0..<p.value.count {
                    vel[i] = momentum * vel[i] + g[i]
                    theta[i] -= learningRate * vel[i]
                }
            }
        }
    }

    public var state: [NamedTensor] {
        zip(parameters, velocities).map { NamedTensor(name: $0.name + ".velocity", value: $1) }
    }
}

/// Adam (Kingma & Ba 2014, "Adam: A Method for Stochastic Optimization"), Algorithm 1:
/// m ← β₁ m + (1 - β₁) g,  v ← β₂ v + (1 - β₂) g²,  m̂ = m / (1 - β₁ᵗ),  v̂ = v / (1 - β₂ᵗ),
/// θ ← θ - η m̂ / (√v̂ + ε).
public final class Adam: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    private let firstMoments: [Tensor]
    private let secondMoments: [Tensor]
    /// The number of values updated per step.
    private let scalarCount: Int
    /// t, the number of steps taken; a tensor so that checkpoints carry it.
    private let stepCount = Tensor(zeros: [1])

    public init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9,
                beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoments = parameters.map { Tensor(zeros: $0.value.shape) }
        secondMoments = parameters.map { Tensor(zeros: $0.value.shape) }
        scalarCount = parameters.scalarCount
    }

    /// The number of steps taken.
    public var steps: Int { Int(stepCount.data[0]) }

    public func step() { OptimizerLog.shared.timed { takeStep() } }

    private func takeStep() {
        stepCount.data[0] += 1
        let t = Double(stepCount.data[0])
        let correction1 = Float(1 - pow(Double(beta1), t)), correction2 = Float(1 - pow(Double(beta2), t))
        // m̂ / (√v̂ + ε) = (m / c₁) / (√v / √c₂ + ε): the bias corrections folded into two scalars.
        let stepSize = learningRate / correction1, inverseSqrtCorrection2 = 1 / correction2.squareRoot()
        // One job for the whole step: each thread takes the same share of every tensor.
        var job = AdamJob(adam: Unmanaged.passUnretained(self), stepSize: stepSize, inverseSqrtCorrection2: inverseSqrtCorrection2)
        ThreadTeam.shared.run(&job, parallel: scalarCount >= 1 << 14) { context, part, parts in
            context.assumingMemoryBound(to: AdamJob.self).pointee.compute(part, of: parts)
        }
    }

    /// Part `part` of `parts` of every parameter: the moments and the update in one sweep.
    func update(part: Int, of parts: Int, stepSize: Float, inverseSqrtCorrection2: Float) {
        // Locals, not properties, inside the loop: the compiler then keeps them in registers and vectorizes.
        let b1 = beta1, b2 = beta2, eps = epsilon
        for index in parameters.indices {
            let p = parameters[index]
            let count = p.value.count
            let range = count >= 4096 ? ThreadTeam.range(part, of: parts, in: count) : (part == 0 ? 0..<count : 0..<0)
            let theta = p.value.data, g = p.gradient.data
            let m = firstMoments[index].data, v = secondMoments[index].data
            // Eight values at a time: written as vectors, because the compiler left this loop scalar.
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                let gi = load8(g + i)
                let mi = b1 * load8(m + i) + (1 - b1) * gi
                let vi = b2 * load8(v + i) + (1 - b2) * gi * gi
                store8(mi, m + i)
                store8(vi, v + i)
                store8(load8(theta + i) - stepSize * mi / (vectorSquareRoot(vi) * inverseSqrtCorrection2 + eps), theta + i)
                i += 8
            }
            while i < range.upperBound {
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                theta[i] -= stepSize * m[i] / (v[i].squareRoot() * inverseSqrtCorrection2 + eps)
                i += 1
            }
        }
    }

    public var state: [NamedTensor] {
        [NamedTensor(name: "step", value: stepCount)]
            + zip(parameters, firstMoments).map { NamedTensor(name: $0.name + ".exp_avg", value: $1) }
            + zip(parameters, secondMoments).map { NamedTensor(name: $0.name + ".exp_avg_sq", value: $1) }
    }
}

/// One Adam step shared out among the thread team.
struct AdamJob {
    let adam: Unmanaged<Adam>
    let stepSize, inverseSqrtCorrection2: Float

    func compute(_ part: Int, of parts: Int) {
        adam.takeUnretainedValue().update(part: part, of: parts, stepSize: stepSize, inverseSqrtCorrection2: inverseSqrtCorrection2)
    }
}
