#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How an optimizer's step size changes with the step count t (1 for the first step), as a
/// factor of its base rate η₀. The factor is 1 for `constant`, exactly: a run without a
/// schedule steps with η₀ itself, bit for bit as before schedules existed.
public indirect enum LearningRateSchedule: Sendable, Equatable, CustomStringConvertible {
    /// η = η₀.
    case constant
    /// η = η₀ · factorᵏ, k = ⌊(t − 1) / every⌋: the rate drops by `factor` every `every` steps
    /// (PyTorch's StepLR).
    case step(every: Int, factor: Float)
    /// η = η_min + (η₀ − η_min) · ½ (1 + cos(π · min(t − 1, steps) / steps)), η_min = η₀ · floor:
    /// half a cosine from η₀ down to η_min over `steps` steps, then η_min (Loshchilov & Hutter
    /// 2017, SGDR, without restarts).
    case cosine(steps: Int, floor: Float = 0)
    /// η rises linearly from η₀/steps to η₀ over the first `steps` steps (Goyal et al. 2017),
    /// then follows `then`, counted from the end of the warm-up.
    case warmUp(steps: Int, then: LearningRateSchedule)

    /// The step size at step `t` (from 1) for the base rate `base`.
    public func rate(base: Float, step t: Int) -> Float {
        switch self {
        case .constant:
            return base
        case let .step(every, factor):
            return base * powf(factor, Float((max(t, 1) - 1) / max(every, 1)))
        case let .cosine(steps, floor):
            let progress = Double(min(max(t, 1) - 1, steps)) / Double(max(steps, 1))
            let minimum = Double(base) * Double(floor)
            return Float(minimum + (Double(base) - minimum) * 0.5 * (1 + cos(Double.pi * progress)))
        case let .warmUp(steps, then):
            if t <= steps { return base * Float(max(t, 1)) / Float(max(steps, 1)) }
            return then.rate(base: base, step: t - steps)
        }
    }

    /// Why the schedule cannot run, or nil: counts of steps must be positive, factors in (0, 1].
    public var problem: String? {
        switch self {
        case .constant: return nil
        case let .step(every, factor):
            if every < 1 { return "a step schedule drops the rate every 1 or more steps, got \(every)" }
            return factor > 0 && factor <= 1
                ? nil : "a step schedule's factor must be above 0 and at most 1, got \(factor)"
        case let .cosine(steps, floor):
            if steps < 1 { return "a cosine schedule runs over 1 or more steps, got \(steps)" }
            return floor >= 0 && floor <= 1
                ? nil : "a cosine schedule's floor must be from 0 to 1 of the base rate, got \(floor)"
        case let .warmUp(steps, then):
            return steps < 1 ? "a warm-up takes 1 or more steps, got \(steps)" : then.problem
        }
    }

    public var description: String {
        switch self {
        case .constant: return "constant"
        case let .step(every, factor): return "step(×\(factor) every \(every) steps)"
        case let .cosine(steps, floor): return "cosine(over \(steps) steps, floor \(floor))"
        case let .warmUp(steps, then): return "warm-up(\(steps) steps), then \(then)"
        }
    }
}
