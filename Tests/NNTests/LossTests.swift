import Foundation
import Testing
@testable import NN

@Suite("Losses: values and gradients")
struct LossTests {
    @Test(
        "BCE on logits: gradient by finite differences, stable at large logits",
        arguments: [Reduction.sumPerItem, .mean, .sum])
    func bce(reduction: Reduction) {
        var g = SeededGenerator(seed: 1)
        let logits = Tensor.normal([3, 5], standardDeviation: 3, using: &g)
        let targets = Tensor.uniform([3, 5], using: &g)
        let loss = BinaryCrossEntropyWithLogits(reduction: reduction)
        let (value, gradient) = loss.lossAndGradient(logits: logits, targets: targets)
        #expect(abs(value - loss.loss(logits: logits, targets: targets)) < 1e-5)
        let numeric = numericGradient(of: logits, step: 1e-2) { Double(loss.loss(logits: logits, targets: targets)) }
        compare(analytic: gradient.copy(), numeric: numeric, what: "dLogits", tolerance: 1e-2)
        let extreme = BinaryCrossEntropyWithLogits(reduction: .sum)
            .loss(
                logits: Tensor(shape: [1, 2], values: [200, -200]), targets: Tensor(shape: [1, 2], values: [0, 1]))
        #expect(abs(extreme - 400) < 1e-3)
    }

    @Test(
        "BCE on logits over a large odd-sized batch (eight lanes, a partial last group, two threads) matches the formula in Double"
    )
    func bceLarge() {
        var g = SeededGenerator(seed: 4)
        // 241 × 77: past the size the team shares out, and not a multiple of 8 or of the 128-value blocks.
        let logits = Tensor.normal([241, 77], standardDeviation: 6, using: &g)
        logits.data[5] = 90; logits.data[6] = -90; logits.data[7] = 0
        let targets = Tensor.uniform([241, 77], using: &g)
        var total = 0.0, worst = 0.0
        let loss = BinaryCrossEntropyWithLogits(reduction: .sum)
        let (value, gradient) = loss.lossAndGradient(logits: logits, targets: targets)
        for i in 0..<logits.count {
            let z = Double(logits.data[i]), t = Double(targets.data[i])
            total += max(z, 0) - z * t + Foundation.log1p(Foundation.exp(-abs(z)))
            worst = max(worst, abs(Double(gradient.data[i]) - (1 / (1 + Foundation.exp(-z)) - t)))
        }
        #expect(abs(Double(value) - total) <= 1e-5 * total, "loss \(value) against \(total)")
        #expect(worst < 1e-6, "gradient off by \(worst)")
        #expect(loss.loss(logits: logits, targets: targets) == value, "evaluation and training share one pass")
    }

    @Test("BCE equals the textbook formula on sigmoid outputs")
    func bceValue() {
        let z: Float = 0.7, t: Float = 0.25
        let p = 1 / (1 + exp(-z))
        let textbook = -(t * log(p) + (1 - t) * log(1 - p))
        let ours = BinaryCrossEntropyWithLogits(reduction: .sum)
            .loss(logits: Tensor(shape: [1, 1], values: [z]), targets: Tensor(shape: [1, 1], values: [t]))
        #expect(abs(ours - textbook) < 1e-6)
    }

    @Test("reductions: sum per item is the sum divided by the batch")
    func reductions() {
        let x = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]), zero = Tensor(zeros: [2, 3])
        #expect(MeanSquaredError(reduction: .sum).loss(prediction: x, targets: zero) == 91)
        #expect(MeanSquaredError(reduction: .sumPerItem).loss(prediction: x, targets: zero) == 45.5)
        #expect(abs(MeanSquaredError(reduction: .mean).loss(prediction: x, targets: zero) - 91.0 / 6) < 1e-5)
    }

    @Test("MSE gradient")
    func mse() {
        var g = SeededGenerator(seed: 2)
        let y = Tensor.normal([4, 3], using: &g), t = Tensor.normal([4, 3], using: &g)
        let loss = MeanSquaredError(reduction: .sumPerItem)
        let gradient = loss.lossAndGradient(prediction: y, targets: t).gradient.copy()
        let numeric = numericGradient(of: y, step: 1e-2) { Double(loss.loss(prediction: y, targets: t)) }
        compare(analytic: gradient, numeric: numeric, what: "dPrediction", tolerance: 1e-2)
    }

    @Test("KL of N(mu, exp(logVar)) from N(0, I): zero at the prior, gradients by finite differences")
    func kl() {
        let kl = GaussianKLDivergence(reduction: .sumPerItem)
        #expect(kl.loss(mu: Tensor(zeros: [2, 3]), logVar: Tensor(zeros: [2, 3])) == 0)
        // One unit, mu = 1, logVar = 0: ½ mu² = 0.5.
        #expect(abs(kl.loss(mu: Tensor(shape: [1, 1], values: [1]), logVar: Tensor(zeros: [1, 1])) - 0.5) < 1e-6)
        var g = SeededGenerator(seed: 3)
        let mu = Tensor.normal([3, 4], using: &g), logVar = Tensor.normal([3, 4], standardDeviation: 0.5, using: &g)
        let (_, dMu, dLogVar) = kl.lossAndGradients(mu: mu, logVar: logVar)
        let objective = { Double(kl.loss(mu: mu, logVar: logVar)) }
        compare(
            analytic: dMu.copy(), numeric: numericGradient(of: mu, step: 1e-2, objective), what: "dMu", tolerance: 1e-2)
        compare(
            analytic: dLogVar.copy(), numeric: numericGradient(of: logVar, step: 1e-2, objective), what: "dLogVar",
            tolerance: 1e-2)
    }

    @Test("softmax cross-entropy: its definition, the gradient by finite differences, finite at huge logits")
    func softmaxCrossEntropy() {
        var g = SeededGenerator(seed: 13)
        let logits = Tensor.normal([4, 5], standardDeviation: 2, using: &g)
        let labels = [0, 3, 4, 3]
        let loss = SoftmaxCrossEntropy()
        let (value, gradient) = loss.lossAndGradient(logits: logits, labels: labels)
        var expected = 0.0
        for r in 0..<4 {
            let sum = (0..<5).reduce(0.0) { $0 + exp(Double(logits[r, $1])) }
            expected -= log(exp(Double(logits[r, labels[r]])) / sum)
        }
        #expect(abs(Double(value) - expected / 4) < 1e-5)
        compare(
            analytic: gradient.copy(),
            numeric: numericGradient(of: logits, step: 1e-2) { Double(loss.loss(logits: logits, labels: labels)) },
            what: "dLogits", tolerance: 1e-2)
        let huge = loss.loss(logits: Tensor(shape: [1, 3], values: [1000, -1000, 0]), labels: [1])
        #expect(abs(huge - 2000) < 1e-2)
    }

    @Test("L1 activity penalty")
    func l1() {
        let penalty = L1ActivityPenalty(weight: 0.5, reduction: .sumPerItem)
        let h = awayFromZero([2, 5], seed: 4)
        let (value, gradient) = penalty.lossAndGradient(activations: h)
        #expect(abs(value - 0.5 * h.magnitude().sum() / 2) < 1e-5)
        let copy = gradient.copy()
        let numeric = numericGradient(of: h, step: 1e-2) { Double(penalty.lossAndGradient(activations: h).loss) }
        compare(analytic: copy, numeric: numeric, what: "dActivations", tolerance: 1e-2)
    }
}
