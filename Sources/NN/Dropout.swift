// Inverted dropout (Srivastava et al. 2014): in training each element is kept with probability
// 1 - p and scaled by 1 / (1 - p), so inference needs no rescaling.

/// Zeroes each element with probability `probability` in training; the identity in inference.
public final class Dropout: Layer {
    /// The probability that an element is dropped.
    public let probability: Float
    public var computesInputGradient = true
    private var generator: SeededGenerator
    private var mask: Tensor?  // 0 or 1 / (1 - p), same shape as the input
    private var output: Tensor?
    private var dInput: Tensor?
    private var lastWasTraining = false

    public init(probability: Float, seed: UInt64) {
        precondition(probability >= 0 && probability < 1, "dropout probability must be in [0, 1), got \(probability)")
        self.probability = probability
        self.generator = SeededGenerator(seed: seed)
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        lastWasTraining = training
        guard training, probability > 0 else { return input }
        let m = Tensor.reuse(&mask, shape: input.shape)
        let y = Tensor.reuse(&output, shape: input.shape)
        let keep = 1 - probability, scale = 1 / keep
        for i in 0..<input.count {
            m.data[i] = generator.nextUniform() < keep ? scale : 0
            y.data[i] = input.data[i] * m.data[i]
        }
        return y
    }

    public var description: String { "Dropout(\(probability))" }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard computesInputGradient else { return noInputGradient }
        guard lastWasTraining, probability > 0, let m = mask else { return dOutput }
        let dx = Tensor.reuse(&dInput, shape: dOutput.shape)
        for i in 0..<dOutput.count { dx.data[i] = dOutput.data[i] * m.data[i] }
        return dx
    }
}
