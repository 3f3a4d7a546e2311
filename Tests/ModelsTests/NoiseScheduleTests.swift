import Foundation
import Testing
@testable import Models
import NN

@Suite("DDPM's noise schedules and the closed form of the forward process")
struct NoiseScheduleTests {
    @Test("linear: β from 1e-4 to 0.02; ᾱ_T ≈ 4e-5 at T = 1000 (Ho et al.'s schedule leaves almost no signal)")
    func linear() {
        let schedule = NoiseSchedule(.linear)
        #expect(schedule.betas.first == 1e-4 && abs(schedule.betas.last! - 0.02) < 1e-15)
        #expect(schedule.alphaBar(0) == 1)
        #expect(abs(schedule.alphaBar(1000) - 4.04e-5) < 0.05e-5)
        #expect(zip(schedule.alphaBars, schedule.alphaBars.dropFirst()).allSatisfy { $1 < $0 })
    }

    @Test("cosine: ᾱ_t = f(t)/f(0) until β reaches its 0.999 clip, ᾱ falling to about 0")
    func cosine() {
        let schedule = NoiseSchedule(.cosine)
        func f(_ t: Double) -> Double { pow(cos((t / 1000 + 0.008) / 1.008 * Double.pi / 2), 2) }
        for t in [1, 100, 500, 900] { #expect(abs(schedule.alphaBar(t) - f(Double(t)) / f(0)) < 1e-12) }
        #expect(schedule.betas.allSatisfy { $0 > 0 && $0 <= 0.999 } && schedule.betas.last == 0.999)
        #expect(schedule.alphaBar(1000) < 1e-6)
    }

    @Test("the closed form q(x_t | x_0) has the mean and variance of t forward steps, drawn one by one")
    func closedFormMatchesSteps() {
        let schedule = NoiseSchedule(.linear, steps: 40)
        let count = 20_000, x0: Float = 0.8
        var g = SeededGenerator(seed: 3)
        // Walk every draw through q(x_t | x_{t−1}) step by step, checking the moments at some t.
        var x = [Float](repeating: x0, count: count)
        for t in 1...40 {
            let beta = Float(schedule.betas[t - 1])
            for i in 0..<count { x[i] = (1 - beta).squareRoot() * x[i] + beta.squareRoot() * g.nextNormal() }
            guard [5, 20, 40].contains(t) else { continue }
            let mean = x.reduce(0.0) { $0 + Double($1) } / Double(count)
            let variance = x.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(count - 1)
            let a = schedule.alphaBar(t)
            // Standard errors: sd/√count ≈ 0.007 for the mean, about √(2/count)·var for the variance.
            #expect(abs(mean - a.squareRoot() * Double(x0)) < 0.03)
            #expect(abs(variance - (1 - a)) < 0.05 * max(1 - a, 0.05))
        }
        // And the closed form itself, for a batch at two timesteps.
        let clean = Tensor(shape: [2, 3], values: [0.8, -0.2, 0.5, 0.8, -0.2, 0.5])
        let epsilon = Tensor(shape: [2, 3], values: [1, 0, -1, 1, 0, -1])
        let noised = Tensor(zeros: [2, 3])
        schedule.noise(clean, at: [0, 40], with: epsilon, into: noised)
        #expect(Array(noised.scalars[0..<3]) == clean.scalars[0..<3].map { $0 })
        let a = schedule.alphaBar(40)
        for i in 0..<3 {
            let expected = a.squareRoot() * Double(clean[3 + i]) + (1 - a).squareRoot() * Double(epsilon[3 + i])
            #expect(abs(Double(noised[3 + i]) - expected) < 1e-6)
        }
    }
}
