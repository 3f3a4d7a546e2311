// A decoder layer tied to an encoder layer (the lectures' W' = Wᵀ): y = f(x W + b'), where W
// (O_enc, I_enc) is the encoder `Dense`'s own weight, read transposed, and b' (I_enc) is this
// layer's own bias. N: batch. Input (N, O_enc), output (N, I_enc).
// The weight is one `Parameter` shared with the encoder layer: both layers add into its one
// gradient, a model's parameter list holds it once (`deduplicated`), so the optimizer updates it
// once per step with the sum, and a checkpoint stores it once, under the encoder's name.

/// A fully connected layer using the transpose of another `Dense` layer's weight.
public final class TiedDense: Layer {
    /// The encoder layer whose weight this one reads transposed.
    public let tiedTo: Dense
    /// (I_enc): this layer's own bias.
    public let bias: Parameter
    public let activation: Activation
    public var computesInputGradient = true
    /// When false, `backward` adds nothing to the shared weight's gradient or the bias's.
    public var computesParameterGradients = true

    public var inputSize: Int { tiedTo.outputSize }
    public var outputSize: Int { tiedTo.inputSize }

    private var input: Tensor?, output: Tensor?, dPre: Tensor?, dInput: Tensor?

    /// The transpose of `layer`, with a bias drawn as PyTorch draws nn.Linear's for this layer's
    /// fan-in (`layer.outputSize`).
    public init(transposeOf layer: Dense, activation: Activation = .identity, generator: inout SeededGenerator) {
        tiedTo = layer
        let b = Tensor(zeros: [layer.inputSize])
        Initialization.torchDefault.fill(b, fanIn: layer.outputSize, fanOut: 0, using: &generator)
        bias = Parameter(name: "bias", value: b)
        self.activation = activation
    }

    /// The shared weight first, so that a list of this layer alone names it too.
    public var parameters: [Parameter] { [tiedTo.weight, bias] }

    public var description: String { "TiedDense(\(inputSize) → \(outputSize), Wᵀ" + activation.listed + ")" }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let n = input.shape[0]
        precondition(input.shape.countPerItem == inputSize, "\(self) got input of shape \(input.shape)")
        self.input = input
        let y = Tensor.reuse(&output, shape: Shape(n, outputSize))
        gemm(input, tiedTo.weight.value, into: y)  // y = x W
        // y = f(y + b')
        activation.applyWithBiasInParallel(y.data, rows: n, features: outputSize, bias: bias.value.data)
        return y
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let x = input, let y = output else { preconditionFailure("TiedDense.backward before forward") }
        precondition(dOutput.shape == y.shape, "TiedDense dOutput \(dOutput.shape) does not match output \(y.shape)")
        let dZ = activation.preActivationGradient(
            output: y, dOutput: dOutput, buffer: &dPre, bias: computesParameterGradients ? bias : nil)
        // dW += xᵀ dZ  (O_enc, I_enc)
        if computesParameterGradients { gemm(x, transposeA: true, dZ, into: tiedTo.weight.gradient, beta: 1) }
        guard computesInputGradient else { return noInputGradient }
        let dx = Tensor.reuse(&dInput, shape: x.shape)
        gemm(dZ, tiedTo.weight.value, transposeB: true, into: dx)  // dX = dZ Wᵀ
        return dx
    }
}
