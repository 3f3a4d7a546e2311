import Testing
@testable import NN

@Suite("Layer backward passes against finite differences")
struct LayerGradientTests {
    static let activations: [Activation] = [.identity, .relu, .leakyReLU(slope: 0.2), .tanh, .sigmoid]

    @Test("Dense with each fused activation", arguments: activations)
    func dense(activation: Activation) {
        var g = SeededGenerator(seed: 1)
        let layer = Dense(inputSize: 6, outputSize: 4, activation: activation, generator: &g)
        // Keep pre-activations away from the ReLU kink: inputs spread, bias pushed off zero.
        layer.bias.value.fillUniform(low: 0.3, high: 0.6, using: &g)
        checkLayerGradients(layer, input: awayFromZero([5, 6], seed: 2), step: 1e-3)
    }

    @Test("Dense flattens image input and skips dInput when asked")
    func denseImages() {
        var g = SeededGenerator(seed: 3)
        let layer = Dense(inputSize: 8, outputSize: 3, generator: &g)
        checkLayerGradients(layer, input: awayFromZero([2, 2, 2, 2], seed: 4))
        layer.computesInputGradient = false
        _ = layer.forward(awayFromZero([2, 2, 2, 2], seed: 4), training: true)
        #expect(layer.backward(Tensor(zeros: [2, 3])).count == 0)
    }

    @Test("stand-alone activations", arguments: activations)
    func activation(activation: Activation) {
        let layer = ElementwiseActivation.layer(activation)
        #expect(layer.activation == activation)
        checkLayerGradients(layer, input: awayFromZero([3, 7], seed: 5), step: 1e-3)
    }

    @Test("BatchNorm in training, over features and over image channels")
    func batchNorm() {
        var g = SeededGenerator(seed: 6)
        let features = BatchNorm(featureCount: 4)
        features.weight.value.fillUniform(low: 0.5, high: 1.5, using: &g)
        features.bias.value.fillUniform(low: -0.5, high: 0.5, using: &g)
        checkLayerGradients(features, input: awayFromZero([6, 4], seed: 7), step: 1e-2, tolerance: 3e-2)
        let channels = BatchNorm(featureCount: 3)
        checkLayerGradients(channels, input: awayFromZero([2, 3, 2, 2], seed: 8), step: 1e-2, tolerance: 3e-2)
    }

    @Test("BatchNorm in inference uses the running statistics")
    func batchNormInference() {
        let layer = BatchNorm(featureCount: 2, momentum: 1)  // momentum 1: running stats = last batch
        let x = Tensor(shape: [4, 2], values: [1, 10, 2, 20, 3, 30, 4, 40])
        _ = layer.forward(x, training: true)
        #expect(abs(layer.runningMean[0] - 2.5) < 1e-5 && abs(layer.runningMean[1] - 25) < 1e-4)
        #expect(abs(layer.runningVariance[0] - 5.0 / 3) < 1e-4)  // unbiased, as PyTorch
        checkLayerGradients(layer, input: x, training: false)
    }

    @Test("Dropout: a fixed mask's gradient, inverted scaling, identity in inference")
    func dropout() {
        let x = awayFromZero([4, 50], seed: 9)
        // A new layer with the same seed draws the same mask, so finite differences see a fixed function.
        let layer = Dropout(probability: 0.3, seed: 11)
        let probe = awayFromZero([4, 50], seed: 10)
        _ = layer.forward(x, training: true)
        let dInput = layer.backward(probe).copy()
        let numeric = numericGradient(of: x, step: 1e-2) {
            let y = Dropout(probability: 0.3, seed: 11).forward(x, training: true)
            return (0..<y.count).reduce(0.0) { $0 + Double(y[$1]) * Double(probe[$1]) }
        }
        compare(analytic: dInput, numeric: numeric, what: "dInput", tolerance: 1e-2)
        let y = Dropout(probability: 0.3, seed: 11).forward(x, training: true)
        let kept = (0..<y.count).filter { y[$0] != 0 }
        #expect(kept.allSatisfy { abs(y[$0] - x[$0] / 0.7) < 1e-5 })
        #expect(abs(Float(kept.count) / 200 - 0.7) < 0.1)
        #expect(layer.forward(x, training: false) === x)
    }

    @Test("MinibatchStandardDeviation: the batch's spread appended to each sample, and its gradient")
    func minibatchStandardDeviation() {
        let layer = MinibatchStandardDeviation()
        let x = awayFromZero([5, 3], seed: 11)
        let y = layer.forward(x, training: true)
        #expect(y.shape == Shape(5, 4))
        // The last column: the mean over features of each feature's population standard deviation.
        var expected = 0.0
        for j in 0..<3 {
            let column = (0..<5).map { Double(x[$0, j]) }
            let mean = column.reduce(0, +) / 5
            expected += (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 5).squareRoot() / 3
        }
        for i in 0..<5 {
            #expect(abs(Double(y[i, 3]) - expected) < 1e-5)
            for j in 0..<3 { #expect(y[i, j] == x[i, j]) }
        }
        checkLayerGradients(layer, input: x, step: 1e-3)
        // A batch of one has no spread: ε's square root, and no failure.
        let one = layer.forward(awayFromZero([1, 3], seed: 12), training: false)
        #expect(one.shape == Shape(1, 4) && abs(one[0, 3] - 1e-4) < 1e-6)
    }

    @Test("Flatten and Reshape move no data and route gradients back")
    func reshapes() {
        let x = awayFromZero([2, 3, 2, 2], seed: 12)
        let flat = Flatten().forward(x, training: true)
        #expect(flat.shape == [2, 12] && flat.data == x.data)
        checkLayerGradients(Flatten(), input: x)
        checkLayerGradients(Reshape(itemShape: [3, 4]), input: x)
        let r = Reshape(itemShape: [1, 3, 4])
        #expect(r.forward(x, training: true).shape == [2, 1, 3, 4])
        #expect(r.backward(Tensor(zeros: [2, 1, 3, 4])).shape == [2, 3, 2, 2])
    }

    @Test("Sequential chains layers and names parameters by index")
    func sequential() {
        var g = SeededGenerator(seed: 13)
        let model = Sequential(
            Dense(inputSize: 5, outputSize: 4, activation: .tanh, generator: &g),
            BatchNorm(featureCount: 4),
            Dense(inputSize: 4, outputSize: 3, generator: &g))
        #expect(
            model.parameters.map(\.name) == [
                "layers.0.weight", "layers.0.bias", "layers.1.weight",
                "layers.1.bias", "layers.2.weight", "layers.2.bias",
            ])
        #expect(model.buffers.map(\.name) == ["layers.1.runningMean", "layers.1.runningVariance"])
        checkLayerGradients(model, input: awayFromZero([6, 5], seed: 14), tolerance: 3e-2)
    }
}
