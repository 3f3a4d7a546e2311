import Testing
@testable import NN

@Suite("Composing layers: shared weights, skipped input gradients, given optimizers")
struct CompositionTests {
    @Test("a layer listed twice is one set of parameters, and Adam moves it once per step")
    func sharedWeightsAreDeduplicated() {
        var g = SeededGenerator(seed: 1)
        let shared = Dense(inputSize: 3, outputSize: 2, generator: &g)
        let other = Dense(inputSize: 2, outputSize: 2, generator: &g)
        let layers = NamedLayers([("encoder", shared), ("middle", other), ("decoder", shared)])
        #expect(layers.parameters.map(\.name) == ["encoder.weight", "encoder.bias", "middle.weight", "middle.bias"])
        #expect(layers.stateTensors.count == 4)
        // Adam's first step moves every value by almost exactly the learning rate (m̂ / √v̂ = ±1):
        // a parameter seen twice would move by twice that.
        let adam = Adam(parameters: layers.parameters, learningRate: 0.01)
        shared.weight.gradient.fill(0.5)
        let before = shared.weight.value.copy()
        adam.step()
        for i in 0..<before.count { #expect(abs(abs(shared.weight.value[i] - before[i]) - 0.01) < 1e-5) }
    }

    @Test("a Sequential that skips its input gradient passes it to the leading layers up to the first with parameters")
    func skippedInputGradient() {
        var g = SeededGenerator(seed: 2)
        let flatten = Flatten(), first = Dense(inputSize: 8, outputSize: 4, activation: .relu, generator: &g)
        let relu = ReLU(), second = Dense(inputSize: 4, outputSize: 2, generator: &g)
        let network = Sequential(flatten, first, relu, second)
        network.computesInputGradient = false
        #expect(!flatten.computesInputGradient && !first.computesInputGradient)
        #expect(relu.computesInputGradient && second.computesInputGradient)
        let x = Tensor.uniform([3, 2, 2, 2], using: &g)
        _ = network.forward(x, training: true)
        #expect(network.backward(Tensor(shape: [3, 2], repeating: 1)).count == 0)
        #expect(
            first.weight.gradient.scalars.contains { $0 != 0 }, "the first layer's weights still get their gradient")
        network.computesInputGradient = true
        _ = network.forward(x, training: true)
        #expect(network.backward(Tensor(shape: [3, 2], repeating: 1)).shape == [3, 2, 2, 2])
    }

    @Test(
        "a network that makes no parameter gradients passes back the same input gradient and leaves its gradients alone"
    )
    func skippedParameterGradients() {
        var g = SeededGenerator(seed: 5)
        let encoder = Dense(inputSize: 128, outputSize: 6, activation: .relu, generator: &g)
        let network = Sequential(
            Conv2D(
                inputChannels: 2, outputChannels: 3, kernelSize: 4, stride: 2, padding: 1,
                activation: .leakyReLU(slope: 0.2), generator: &g),
            BatchNorm2D(featureCount: 3, activation: .relu),
            TransposedConv2D(
                inputChannels: 3, outputChannels: 2, kernelSize: 4, stride: 2, padding: 1, activation: .tanh,
                generator: &g),
            Flatten(), encoder, BatchNorm(featureCount: 6), TiedDense(transposeOf: encoder, generator: &g),
            Dense(inputSize: 128, outputSize: 1, generator: &g))
        let x = Tensor.uniform([5, 2, 8, 8], low: -1, high: 1, using: &g),
            dy = Tensor.uniform([5, 1], low: -1, high: 1, using: &g)
        _ = network.forward(x, training: true)
        let dx = network.backward(dy).copy()
        #expect(
            network.parameters.allSatisfy { $0.gradient.scalars.contains { $0 != 0 } },
            "every parameter gets a gradient")

        for p in network.parameters { p.gradient.fill(0.25) }
        network.computesParameterGradients = false
        #expect(network.layers.allSatisfy { !$0.computesParameterGradients || $0.parameters.isEmpty })
        _ = network.forward(x, training: true)
        #expect(network.backward(dy).scalars == dx.scalars, "the input gradient does not depend on the flag")
        for p in network.parameters { #expect(p.gradient.scalars.allSatisfy { $0 == 0.25 }, "\(p.name) changed") }

        network.computesParameterGradients = true
        _ = network.forward(x, training: true)
        _ = network.backward(dy)
        #expect(network.parameters.allSatisfy { $0.gradient.scalars.contains { $0 != 0.25 } })
    }

    @Test("an optimizer made over part of a model leaves the rest frozen")
    func partialOptimizer() {
        var g = SeededGenerator(seed: 3)
        let layers = NamedLayers([
            ("encoder", Dense(inputSize: 2, outputSize: 2, generator: &g)),
            ("head", Dense(inputSize: 2, outputSize: 1, generator: &g)),
        ])
        let prototype = SGD(learningRate: 0.1)
        #expect(prototype.description == "SGD(lr 0.1, momentum 0.0)" && prototype.parameters.isEmpty)
        let optimizer = prototype.fresh(over: layers.parameters.filter { $0.name.hasPrefix("head.") })
        #expect(optimizer.parameters.map(\.name) == ["head.weight", "head.bias"])
        let before = layers.parameters.map { $0.value.scalars }
        for p in layers.parameters { p.gradient.fill(1) }
        optimizer.step()
        let after = layers.parameters.map { $0.value.scalars }
        #expect(after[0] == before[0] && after[1] == before[1], "the encoder moved")
        #expect(after[2] != before[2] && after[3] != before[3], "the head did not move")
    }

    @Test("a network describes its architecture, for configurations and cache keys")
    func descriptions() {
        var g = SeededGenerator(seed: 4)
        let network = Sequential(
            Flatten(), Dense(inputSize: 4, outputSize: 3, activation: .leakyReLU(slope: 0.2), generator: &g),
            BatchNorm(featureCount: 3), Dropout(probability: 0.5, seed: 1), Tanh(),
            Dense(inputSize: 3, outputSize: 2, initialization: .xavierUniform, generator: &g),
            Reshape(itemShape: [1, 2]))
        #expect(
            network.description
                == "Sequential(Flatten, Dense(4 → 3, leakyReLU(0.2)), BatchNorm(3, momentum 0.1, epsilon 1e-05), Dropout(0.5), Tanh, Dense(3 → 2, xavierUniform), Reshape(1×2))"
        )
    }
}
