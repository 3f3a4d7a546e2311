import Foundation
import Testing
@testable import NN

@Suite("Optimizers against hand-computed steps")
struct OptimizerTests {
    @Test("SGD with momentum: v ← 0.9 v + g, θ ← θ - 0.1 v")
    func sgd() {
        let p = Parameter(name: "w", value: Tensor(shape: [2], values: [1, -2]))
        let sgd = SGD(parameters: [p], learningRate: 0.1, momentum: 0.9)
        p.gradient.assign(Tensor(shape: [2], values: [0.5, -1]))
        sgd.step()  // v = (0.5, -1), θ = (0.95, -1.9)
        #expect(abs(p.value[0] - 0.95) < 1e-6 && abs(p.value[1] + 1.9) < 1e-6)
        sgd.step()  // v = (0.95, -1.9), θ = (0.855, -1.71)
        #expect(abs(p.value[0] - 0.855) < 1e-6 && abs(p.value[1] + 1.71) < 1e-6)
    }

    @Test("Adam, bias-corrected: two steps by hand")
    func adam() {
        let p = Parameter(name: "w", value: Tensor(shape: [2], values: [1, 1]))
        let adam = Adam(parameters: [p], learningRate: 0.1)
        p.gradient.assign(Tensor(shape: [2], values: [0.5, -2]))
        adam.step()
        // t = 1: m̂ = g, v̂ = g², so θ moves by lr · sign(g) (up to ε).
        #expect(abs(p.value[0] - 0.9) < 1e-6 && abs(p.value[1] - 1.1) < 1e-6)
        p.gradient.assign(Tensor(shape: [2], values: [0.1, -2]))
        adam.step()
        // t = 2 for the first element: m = 0.9·0.05 + 0.1·0.1 = 0.055, v = 0.999·0.00025 + 0.001·0.01 = 0.00025975,
        // m̂ = 0.055 / 0.19, v̂ = 0.00025975 / 0.001999; θ = 0.9 - 0.1 · m̂ / (√v̂ + 1e-8).
        let mHat = 0.055 / 0.19, vHat = 0.00025975 / (1 - 0.999 * 0.999)
        let expected = 0.9 - 0.1 * mHat / (vHat.squareRoot() + 1e-8)
        #expect(abs(Double(p.value[0]) - expected) < 1e-5)
        #expect(abs(p.value[1] - 1.2) < 1e-5)  // constant gradient: steps of lr each
        #expect(adam.steps == 2)
        #expect(adam.state.map(\.name) == ["step", "w.exp_avg", "w.exp_avg_sq"])
    }

    @Test("Adam's eight-wide loop and its scalar tail agree with the formula, value by value")
    func adamVectorised() {
        var g = SeededGenerator(seed: 5)
        let p = Parameter(name: "w", value: Tensor.normal([21], using: &g))
        let start = p.value.scalars
        let adam = Adam(parameters: [p], learningRate: 0.01, beta1: 0.8, beta2: 0.9, epsilon: 1e-3)
        var m = [Double](repeating: 0, count: 21), v = m, theta = start.map(Double.init)
        for t in 1...3 {
            p.gradient.fillNormal(using: &g)
            let grad = p.gradient.scalars.map(Double.init)
            adam.step()
            for i in 0..<21 {
                m[i] = 0.8 * m[i] + 0.2 * grad[i]
                v[i] = 0.9 * v[i] + 0.1 * grad[i] * grad[i]
                let mHat = m[i] / (1 - pow(0.8, Double(t))), vHat = v[i] / (1 - pow(0.9, Double(t)))
                theta[i] -= 0.01 * mHat / (vHat.squareRoot() + 1e-3)
            }
        }
        for i in 0..<21 { #expect(abs(Double(p.value[i]) - theta[i]) < 1e-5, "value \(i)") }
    }

    @Test("schedules: constant, step, cosine and warm-up give the rates of their formulas")
    func schedules() {
        #expect(LearningRateSchedule.constant.rate(base: 0.3, step: 77) == 0.3)
        let step = LearningRateSchedule.step(every: 10, factor: 0.5)
        #expect(
            step.rate(base: 1, step: 1) == 1 && step.rate(base: 1, step: 10) == 1 && step.rate(base: 1, step: 11) == 0.5
                && step.rate(base: 1, step: 25) == 0.25)
        let cosine = LearningRateSchedule.cosine(steps: 100, floor: 0.1)
        #expect(cosine.rate(base: 2, step: 1) == 2)
        #expect(abs(cosine.rate(base: 2, step: 51) - (0.2 + 1.8 * 0.5)) < 1e-6)  // halfway: the mean of η₀ and η_min
        #expect(abs(cosine.rate(base: 2, step: 101) - 0.2) < 1e-6 && abs(cosine.rate(base: 2, step: 500) - 0.2) < 1e-6)
        let warm = LearningRateSchedule.warmUp(steps: 4, then: .cosine(steps: 10))
        #expect([1, 2, 3, 4].map { warm.rate(base: 1, step: $0) } == [0.25, 0.5, 0.75, 1])
        #expect(warm.rate(base: 1, step: 5) == 1 && abs(warm.rate(base: 1, step: 15)) < 1e-6)
        #expect(
            LearningRateSchedule.cosine(steps: 0).problem != nil
                && LearningRateSchedule.step(every: 5, factor: 2).problem != nil)
        #expect(warm.problem == nil)
    }

    @Test("an optimizer steps by its schedule's rate, counts its steps for checkpoints, and says so in its description")
    func scheduledSteps() {
        let p = Parameter(name: "w", value: Tensor(shape: [1], values: [0]))
        let sgd = SGD(parameters: [p], learningRate: 1, schedule: .step(every: 1, factor: 0.5))
        p.gradient.fill(1)
        for _ in 0..<3 { sgd.step() }  // θ = -(1 + 0.5 + 0.25)
        #expect(abs(p.value[0] + 1.75) < 1e-6 && sgd.steps == 3 && sgd.currentLearningRate == 0.125)
        #expect(sgd.state.map(\.name) == ["step", "w.velocity"])
        #expect(sgd.description == "SGD(lr 1.0, momentum 0.0) with a step(×0.5 every 1 steps) schedule")
        // Without a schedule the description is the one cache keys have always hashed.
        #expect(
            Adam(learningRate: 2e-4, beta1: 0.5).description == "Adam(lr 0.0002, beta1 0.5, beta2 0.999, epsilon 1e-08)"
        )
        let copy = sgd.fresh(over: [p])
        #expect(copy.steps == 0 && copy.schedule == sgd.schedule && copy.learningRate == 1)
    }
}
