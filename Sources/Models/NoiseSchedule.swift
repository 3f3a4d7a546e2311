// The forward (noising) process of a denoising diffusion model (Ho et al. 2020, DDPM):
//   q(x_t | x_{t−1}) = N(√(1 − β_t) · x_{t−1}, β_t · I),  t = 1 … T,
// and, with α_t = 1 − β_t and ᾱ_t = α_1 · α_2 ⋯ α_t, its closed form
//   q(x_t | x_0) = N(√ᾱ_t · x_0, (1 − ᾱ_t) · I):  x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε,  ε ~ N(0, I),
// so training draws any t directly instead of walking t steps.
// Two schedules of β: linear from 1e-4 to 0.02 (Ho et al., T = 1000; both ends times 1000/T for
// another T, as Nichol & Dhariwal scale it), and cosine (Nichol &
// Dhariwal 2021), which sets ᾱ itself, ᾱ_t = f(t) / f(0) with f(t) = cos²((t/T + s) / (1 + s) · π/2),
// s = 0.008, and clips β_t = 1 − ᾱ_t / ᾱ_{t−1} at 0.999 (the last steps would otherwise reach 1).

import NN

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// β_t and ᾱ_t for t = 1 … T, and the closed-form noising of a batch.
public struct NoiseSchedule: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable, Codable { case linear, cosine }

    public let kind: Kind
    /// T, the number of noising steps.
    public let steps: Int
    /// β_t at index t − 1. Doubles: ᾱ is a product of a thousand factors.
    public let betas: [Double]
    /// ᾱ_t at index t − 1.
    public let alphaBars: [Double]

    public var description: String { "\(kind.rawValue) β schedule, T = \(steps)" }

    public init(_ kind: Kind, steps: Int = 1000) {
        precondition(steps >= 2, "a noise schedule needs at least 2 steps, got \(steps)")
        self.kind = kind
        self.steps = steps
        var betas: [Double] = []
        switch kind {
        case .linear:
            // Scaled by 1000 / T for other T (Nichol & Dhariwal's rule), so ᾱ_T stays near 0.
            let scale = 1000 / Double(steps), (first, last) = (scale * 1e-4, min(scale * 0.02, 0.999))
            betas = (0..<steps).map { first + (last - first) * Double($0) / Double(steps - 1) }
        case .cosine:
            let s = 0.008
            func f(_ t: Int) -> Double {
                let c = cos((Double(t) / Double(steps) + s) / (1 + s) * Double.pi / 2)
                return c * c
            }
            betas = (1...steps).map { t in min(1 - f(t) / f(t - 1), 0.999) }
        }
        var product = 1.0
        alphaBars = betas.map { beta in
            product *= 1 - beta
            return product
        }
        self.betas = betas
    }

    /// ᾱ_t for t in 0 … T (ᾱ_0 = 1: no noise yet).
    public func alphaBar(_ t: Int) -> Double {
        precondition(t >= 0 && t <= steps, "timestep \(t) is outside 0…\(steps)")
        return t == 0 ? 1 : alphaBars[t - 1]
    }

    /// x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε for each item n of the batch at its own timestep t_n,
    /// into `noised` (the shape of `clean`).
    public func noise(_ clean: Tensor, at timesteps: [Int], with epsilon: Tensor, into noised: Tensor) {
        precondition(
            clean.shape == epsilon.shape && clean.shape == noised.shape && timesteps.count == clean.shape[0],
            "noising needs x_0, ε and x_t of one shape and a timestep per item")
        let item = clean.shape.countPerItem
        for (n, t) in timesteps.enumerated() {
            let a = alphaBar(t)
            let (signal, spread) = (Float(a.squareRoot()), Float((1 - a).squareRoot()))
            let o = n * item
            for i in o..<(o + item) { noised.data[i] = signal * clean.data[i] + spread * epsilon.data[i] }
        }
    }
}
