import Foundation
import NN

/// Milliseconds per training step of the default autoencoder's shape (784-512-32-512-784,
/// BCE on logits, Adam), on random data: run it in a debug and in a release build to compare.
func measureTrainingStep(batchSize: Int, steps: Int) -> Double {
    var g = SeededGenerator(seed: 0)
    let model = Sequential(
        Dense(inputSize: 784, outputSize: 512, activation: .relu, generator: &g),
        Dense(inputSize: 512, outputSize: 32, generator: &g),
        Dense(inputSize: 32, outputSize: 512, activation: .relu, generator: &g),
        Dense(inputSize: 512, outputSize: 784, generator: &g))
    model.computesInputGradient = false
    let x = Tensor.uniform([batchSize, 784], using: &g)
    let loss = BinaryCrossEntropyWithLogits(reduction: .sumPerItem)
    let adam = Adam(parameters: model.parameters)
    func step() {
        adam.zeroGradients()
        let (_, gradient) = loss.lossAndGradient(logits: model.forward(x, training: true), targets: x)
        _ = model.backward(gradient)
        adam.step()
    }
    for _ in 0..<3 { step() }
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<steps { step() }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(steps)
}
