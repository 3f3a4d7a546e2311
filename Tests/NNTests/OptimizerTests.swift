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
        sgd.step()                       // v = (0.5, -1), θ = (0.95, -1.9)
        #expect(abs(p.value[0] - 0.95) < 1e-6 && abs(p.value[1] + 1.9) < 1e-6)
        sgd.step()                       // v = (0.95, -1.9), θ = (0.855, -1.71)
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
        #expect(abs(p.value[1] - 1.2) < 1e-5)   // constant gradient: steps of lr each
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
}
