/// A multilayer perceptron: `sizes[0]` inputs through hidden layers of `hiddenActivation` to
/// `sizes.last` outputs with `outputActivation`, each layer a `Dense` drawn by `initialization`.
/// When `inputIsData`, the first layer skips dInput (nothing upstream needs it).
public func multilayerPerceptron(
    _ sizes: [Int], hidden hiddenActivation: Activation, output outputActivation: Activation = .identity,
    initialization: Initialization = .torchDefault, inputIsData: Bool,
    generator: inout SeededGenerator
) -> Sequential {
    precondition(sizes.count >= 2, "an MLP needs an input and an output size")
    var layers: [any Layer] = []
    for i in 0..<(sizes.count - 1) {
        let last = i == sizes.count - 2
        layers.append(
            Dense(
                inputSize: sizes[i], outputSize: sizes[i + 1], activation: last ? outputActivation : hiddenActivation,
                initialization: initialization, generator: &generator))
    }
    let network = Sequential(layers)
    if inputIsData { network.computesInputGradient = false }
    return network
}
