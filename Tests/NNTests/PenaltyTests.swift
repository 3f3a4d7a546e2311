import Foundation
import Testing
@testable import NN

@Suite("Autoencoder penalties and the tied layer: values and gradients by finite differences")
struct PenaltyTests {
    @Test("KL sparsity: value from its definition, dPenalty/dh by finite differences")
    func klSparsity() {
        var g = SeededGenerator(seed: 5)
        let h = Tensor.uniform([4, 6], low: 0.05, high: 0.95, using: &g)
        let penalty = KLSparsityPenalty(target: 0.1, weight: 2)
        let (value, gradient) = penalty.lossAndGradient(activations: h)
        var expected = 0.0
        for j in 0..<6 {
            let m = (0..<4).reduce(0.0) { $0 + Double(h[$1, j]) } / 4
            expected += 0.1 * log(0.1 / m) + 0.9 * log(0.9 / (1 - m))
        }
        #expect(abs(Double(value) - 2 * expected) < 1e-4)
        let analytic = gradient.copy()
        compare(
            analytic: analytic,
            numeric: numericGradient(of: h, step: 1e-3) { Double(penalty.lossAndGradient(activations: h).loss) },
            what: "dh", tolerance: 1e-2)
        // At the target the divergence and its gradient vanish.
        let atTarget = penalty.lossAndGradient(activations: Tensor(shape: [2, 3], repeating: 0.1))
        #expect(abs(atTarget.loss) < 1e-6 && atTarget.gradient.scalars.allSatisfy { abs($0) < 1e-5 })
    }

    /// ‖J‖²_F of x ↦ layer(x) at every row of `x`, from finite differences of the layer itself:
    /// the definition the closed form must agree with.
    func jacobianNormByDifferences(_ layer: Dense, _ x: Tensor) -> Double {
        var total = 0.0
        let n = x.shape[0], inputs = layer.inputSize
        for r in 0..<n {
            let row = Tensor(shape: [1, inputs], values: Array(x.scalars[(r * inputs)..<((r + 1) * inputs)]))
            for i in 0..<inputs {
                let saved = row[i]
                row[i] = saved + 1e-2; let up = layer(row).copy()
                row[i] = saved - 1e-2; let down = layer(row).copy()
                row[i] = saved
                for j in 0..<layer.outputSize { let d = Double(up[j] - down[j]) / 2e-2; total += d * d }
            }
        }
        return total / Double(n)
    }

    @Test(
        "Contractive penalty: the closed form equals ‖J_f(x)‖²_F, and its gradients in W and b match finite differences",
        arguments: [Activation.sigmoid, .tanh, .relu, .identity])
    func contractive(activation: Activation) {
        var g = SeededGenerator(seed: 6)
        let layer = Dense(inputSize: 5, outputSize: 3, activation: activation, generator: &g)
        let x = awayFromZero([4, 5], seed: 7)
        let penalty = ContractivePenalty(weight: 0.7)
        // The value against the Jacobian's definition.
        let (value, _) = penalty.lossAndGradient(codes: layer(x), layer: layer)
        let reference = 0.7 * jacobianNormByDifferences(layer, x)
        #expect(
            abs(Double(value) - reference) < 2e-3 * max(1, reference),
            "closed form \(value), by differences \(reference)")
        // The gradient: the penalty's own dW plus dh carried back through the layer.
        func objective() -> Double { Double(penalty.lossAndGradient(codes: layer(x), layer: layer).loss) }
        layer.parameters.zeroGradients()
        let h = layer.forward(x, training: true)
        let (_, dh) = penalty.lossAndGradient(codes: h, layer: layer)
        _ = layer.backward(dh)
        let dW = layer.weight.gradient.copy(), dB = layer.bias.gradient.copy()
        layer.parameters.zeroGradients()
        compare(
            analytic: dW, numeric: numericGradient(of: layer.weight.value, step: 1e-3, objective), what: "dW",
            tolerance: 2e-2)
        compare(
            analytic: dB, numeric: numericGradient(of: layer.bias.value, step: 1e-3, objective), what: "db",
            tolerance: 2e-2)
    }

    @Test("TiedDense: gradients by finite differences, into the one weight it shares")
    func tiedDense() {
        var g = SeededGenerator(seed: 8)
        let encoder = Dense(inputSize: 6, outputSize: 4, generator: &g)
        for activation in [Activation.identity, .relu, .sigmoid] {
            let tied = TiedDense(transposeOf: encoder, activation: activation, generator: &g)
            #expect(
                tied.parameters[0].value === encoder.weight.value
                    && tied.parameters[0].gradient === encoder.weight.gradient)
            checkLayerGradients(tied, input: awayFromZero([3, 4], seed: 9))
            // y = f(x Wᵀᵀ + b'): the product with the encoder's weight read transposed.
            let x = awayFromZero([2, 4], seed: 10)
            let expected = ElementwiseActivation.layer(activation)(
                matmulReference(x, encoder.weight.value).adding(rowVector: tied.bias.value))
            let y = tied(x)
            for i in 0..<y.count { #expect(abs(y[i] - expected[i]) < 1e-5) }
        }
    }

    @Test(
        "A weight shared by an encoder layer and its tied decoder is one parameter, stepped once with the sum of both gradients"
    )
    func sharedWeightSteppedOnce() {
        var g = SeededGenerator(seed: 11)
        let encoder = Dense(inputSize: 6, outputSize: 3, activation: .sigmoid, generator: &g)
        let decoder = TiedDense(transposeOf: encoder, generator: &g)
        let model = NamedLayers([("encoder", encoder), ("decoder", decoder)])
        let parameters = model.parameters
        #expect(parameters.filter { $0.value === encoder.weight.value }.count == 1)
        #expect(parameters.map(\.name) == ["encoder.weight", "encoder.bias", "decoder.bias"])
        #expect(model.stateTensors.map(\.name) == ["encoder.weight", "encoder.bias", "decoder.bias"])
        // One SGD step moves W by -lr times the total gradient (encoder's share + decoder's),
        // which must equal the finite-difference gradient of the whole reconstruction loss.
        let x = Tensor.uniform([5, 6], using: &g)
        let loss = MeanSquaredError(reduction: .sumPerItem)
        func objective() -> Double { Double(loss.loss(prediction: decoder(encoder(x)), targets: x)) }
        let numeric = numericGradient(of: encoder.weight.value, step: 1e-3, objective)
        let before = encoder.weight.value.copy()
        parameters.zeroGradients()
        let output = decoder.forward(encoder.forward(x, training: true), training: true)
        _ = encoder.backward(decoder.backward(loss.lossAndGradient(prediction: output, targets: x).gradient))
        compare(analytic: encoder.weight.gradient.copy(), numeric: numeric, what: "dW (both layers)", tolerance: 1e-2)
        let sgd = SGD(parameters: parameters, learningRate: 0.1)
        sgd.step()
        for i in 0..<before.count {
            #expect(abs(encoder.weight.value[i] - (before[i] - 0.1 * encoder.weight.gradient[i])) < 1e-6)
        }
    }

    @Test("Reconstruction losses: BCE on logits and squared error on means, summed over pixels, averaged over images")
    func reconstructionLosses() {
        var g = SeededGenerator(seed: 12)
        let output = Tensor.normal([3, 4], using: &g), target = Tensor.uniform([3, 4], using: &g)
        let mse = ReconstructionLoss.mse.criterion()
        let (value, gradient) = mse.lossAndGradient(output: output, targets: target)
        let expected = (0..<12).reduce(0.0) { $0 + pow(Double(output[$1] - target[$1]), 2) } / 3
        #expect(abs(Double(value) - expected) < 1e-4)
        compare(
            analytic: gradient.copy(),
            numeric: numericGradient(of: output, step: 1e-2) { Double(mse.loss(output: output, targets: target)) },
            what: "dOutput", tolerance: 1e-2)
        #expect(
            ReconstructionLoss.mse.pixel(1.7) == 1 && ReconstructionLoss.mse.pixel(-0.2) == 0
                && ReconstructionLoss.mse.pixel(0.3) == 0.3)
        #expect(abs(ReconstructionLoss.bce.pixel(0) - 0.5) < 1e-7)
    }
}
