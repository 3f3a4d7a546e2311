#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Updates parameters from their accumulated gradients.
///
/// An optimizer is a value the caller makes (`Adam(learningRate: 2e-4, beta1: 0.5)`) and hands
/// to the `Trainer`, which makes one per parameter group of a model (`fresh(over:)`): a GAN's
/// generator and discriminator each get their own moments from the one the caller made, as
/// mlx-swift's optimizers update any model.
public protocol Optimizer: AnyObject, CustomStringConvertible {
    /// The parameters this optimizer updates (none for one made only to be copied).
    var parameters: [Parameter] { get }
    /// The base step size η₀, which `schedule` scales step by step.
    var learningRate: Float { get set }
    /// How the step size changes over the steps.
    var schedule: LearningRateSchedule { get set }
    /// The number of steps taken: the schedule's position, kept in checkpoints.
    var steps: Int { get }
    /// One update of every parameter from its gradient. Does not clear the gradients.
    func step()
    /// The optimizer's own state (moments, step count) for checkpoints, named after the parameters.
    var state: [NamedTensor] { get }
    /// An optimizer with the same settings over `parameters`, its state at zero.
    func fresh(over parameters: [Parameter]) -> any Optimizer
}

extension Optimizer {
    /// Sets every parameter's gradient to zero.
    public func zeroGradients() { parameters.zeroGradients() }

    /// The step size the next step takes.
    public var currentLearningRate: Float { schedule.rate(base: learningRate, step: steps + 1) }

    /// ", <schedule> schedule" for a schedule other than `constant`, for descriptions: a run
    /// without one keeps the description (and so the cache keys) it had before schedules existed.
    var scheduleSuffix: String { schedule == .constant ? "" : " with a \(schedule) schedule" }
}

/// Stochastic gradient descent with momentum, as PyTorch writes it:
/// v ← μ v + g,  θ ← θ - η v   (μ = 0 is plain SGD).
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public var schedule: LearningRateSchedule
    public let momentum: Float
    private let velocities: [Tensor]
    /// t, the number of steps taken; a tensor so that checkpoints carry the schedule's position.
    private let stepCount = Tensor(zeros: [1])

    /// SGD over `parameters` (none: a prototype for `fresh(over:)`, as the `Trainer` takes it).
    public init(
        parameters: [Parameter] = [], learningRate: Float, momentum: Float = 0,
        schedule: LearningRateSchedule = .constant
    ) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.schedule = schedule
        velocities = parameters.map { Tensor(zeros: $0.value.shape) }
    }

    public var steps: Int { Int(stepCount.data[0]) }

    public func step() {
        OptimizerLog.shared.timed {
            stepCount.data[0] += 1
            let rate = schedule.rate(base: learningRate, step: steps), mu = momentum
            for (p, v) in zip(parameters, velocities) {
                let theta = p.value.data, g = p.gradient.data, vel = v.data
                for i in 0..<p.value.count {
                    vel[i] = mu * vel[i] + g[i]
                    theta[i] -= rate * vel[i]
                }
            }
        }
    }

    public var state: [NamedTensor] {
        [NamedTensor(name: "step", value: stepCount)]
            + zip(parameters, velocities).map { NamedTensor(name: $0.name + ".velocity", value: $1) }
    }

    public func fresh(over parameters: [Parameter]) -> any Optimizer {
        SGD(parameters: parameters, learningRate: learningRate, momentum: momentum, schedule: schedule)
    }

    public var description: String { "SGD(lr \(learningRate), momentum \(momentum))" + scheduleSuffix }
}

/// Adam (Kingma & Ba 2014, "Adam: A Method for Stochastic Optimization"), Algorithm 1:
/// m ← β₁ m + (1 - β₁) g,  v ← β₂ v + (1 - β₂) g²,  m̂ = m / (1 - β₁ᵗ),  v̂ = v / (1 - β₂ᵗ),
/// θ ← θ - η m̂ / (√v̂ + ε).
public final class Adam: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public var schedule: LearningRateSchedule
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    private let firstMoments: [Tensor]
    private let secondMoments: [Tensor]
    /// The number of values updated per step.
    private let scalarCount: Int
    /// t, the number of steps taken; a tensor so that checkpoints carry it.
    private let stepCount = Tensor(zeros: [1])

    /// Adam over `parameters` (none: a prototype for `fresh(over:)`, as the `Trainer` takes it).
    public init(
        parameters: [Parameter] = [], learningRate: Float = 1e-3, beta1: Float = 0.9,
        beta2: Float = 0.999, epsilon: Float = 1e-8, schedule: LearningRateSchedule = .constant
    ) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.schedule = schedule
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
        let stepSize = schedule.rate(base: learningRate, step: steps) / correction1,
            inverseSqrtCorrection2 = 1 / correction2.squareRoot()
        // One job for the whole step: each thread takes the same share of every tensor.
        var job = AdamJob(
            adam: Unmanaged.passUnretained(self), stepSize: stepSize, inverseSqrtCorrection2: inverseSqrtCorrection2)
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
                store8(
                    load8(theta + i) - stepSize * mi / (vectorSquareRoot(vi) * inverseSqrtCorrection2 + eps), theta + i)
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

    public func fresh(over parameters: [Parameter]) -> any Optimizer {
        Adam(
            parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
            schedule: schedule)
    }

    public var description: String {
        "Adam(lr \(learningRate), beta1 \(beta1), beta2 \(beta2), epsilon \(epsilon))" + scheduleSuffix
    }
}

/// One Adam step shared out among the thread team.
struct AdamJob {
    let adam: Unmanaged<Adam>
    let stepSize, inverseSqrtCorrection2: Float

    func compute(_ part: Int, of parts: Int) {
        adam.takeUnretainedValue().update(
            part: part, of: parts, stepSize: stepSize, inverseSqrtCorrection2: inverseSqrtCorrection2)
    }
}
