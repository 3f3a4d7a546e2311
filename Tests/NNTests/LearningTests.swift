import Testing
@testable import NN

@Suite("A tiny network learns")
struct LearningTests {
    @Test("an MLP learns XOR: mean BCE falls below 0.05 in 400 Adam steps")
    func xor() {
        var g = SeededGenerator(seed: 4)
        let model = Sequential(
            Dense(inputSize: 2, outputSize: 8, activation: .tanh, initialization: .xavierUniform, generator: &g),
            Dense(inputSize: 8, outputSize: 1, generator: &g))
        let x = Tensor(shape: [4, 2], values: [0, 0, 0, 1, 1, 0, 1, 1])
        let y = Tensor(shape: [4, 1], values: [0, 1, 1, 0])
        let loss = BinaryCrossEntropyWithLogits(reduction: .mean)
        let adam = Adam(parameters: model.parameters, learningRate: 0.05)
        var last: Float = .infinity
        for _ in 0..<400 {
            adam.zeroGradients()
            let (value, gradient) = loss.lossAndGradient(logits: model.forward(x, training: true), targets: y)
            _ = model.backward(gradient)
            adam.step()
            last = value
        }
        #expect(last < 0.05, "final loss \(last)")
        let predictions = model(x).scalars.map { $0 > 0 ? 1 : 0 }
        #expect(predictions == [0, 1, 1, 0])
    }

    @Test("SGD with momentum fits a linear regression: MSE below 1e-3")
    func regression() {
        var g = SeededGenerator(seed: 5)
        let layer = Dense(inputSize: 3, outputSize: 1, generator: &g)
        let x = Tensor.normal([64, 3], using: &g)
        let truth = Tensor(shape: [1, 3], values: [2, -1, 0.5])
        let y = matmul(x, truth, transposeB: true) + 0.3
        let loss = MeanSquaredError(reduction: .mean)
        let sgd = SGD(parameters: layer.parameters, learningRate: 0.05, momentum: 0.9)
        var last: Float = .infinity
        for _ in 0..<300 {
            sgd.zeroGradients()
            let (value, gradient) = loss.lossAndGradient(prediction: layer.forward(x, training: true), targets: y)
            _ = layer.backward(gradient)
            sgd.step()
            last = value
        }
        #expect(last < 1e-3, "final loss \(last)")
        #expect(abs(layer.bias.value[0] - 0.3) < 0.02)
    }
}
