// A fully connected layer, y = f(x Wᵀ + b), with the bias and activation fused into one pass.
// N: batch size, I: input features, O: output features.
// input is (N, I) (any trailing shape is flattened); weight is (O, I) as in PyTorch; bias is (O).

/// A fully connected layer with an optional fused activation.
public final class Dense: Layer {
    /// (O, I): PyTorch's nn.Linear layout, so checkpoints load there unchanged.
    public let weight: Parameter
    /// (O)
    public let bias: Parameter
    /// The activation applied to x Wᵀ + b in the same pass as the bias.
    public let activation: Activation
    /// When false, `backward` skips dInput (the first layer, whose input is data): one GEMM saved.
    public var computesInputGradient = true
    /// When false, `backward` skips dWeight and dBias: one GEMM and the bias sums saved.
    public var computesParameterGradients = true
    /// How the weight was drawn; named in `description` when it is not PyTorch's default.
    public let initialization: Initialization

    public var inputSize: Int { weight.value.shape[1] }
    public var outputSize: Int { weight.value.shape[0] }

    private var input: Tensor?  // (N, I) cached for dWeight
    private var output: Tensor?  // (N, O) = f(pre), read by f'
    private var dPre: Tensor?  // (N, O) dLoss/d(x Wᵀ + b)
    private var dInput: Tensor?  // (N, I)

    /// A layer from `inputSize` to `outputSize` features. The weight is drawn by `initialization`;
    /// the bias is zero, except under `.torchDefault`, which draws it like PyTorch does.
    public init(
        inputSize: Int, outputSize: Int, activation: Activation = .identity,
        initialization: Initialization = .torchDefault, generator: inout SeededGenerator
    ) {
        precondition(inputSize > 0 && outputSize > 0, "Dense needs positive sizes, got \(inputSize) → \(outputSize)")
        let w = Tensor(zeros: [outputSize, inputSize])
        initialization.fill(w, fanIn: inputSize, fanOut: outputSize, using: &generator)
        let b = Tensor(zeros: [outputSize])
        // nn.Linear's bias: U(-1/sqrt(fanIn), 1/sqrt(fanIn)), the same rule as its weight.
        if initialization == .torchDefault { initialization.fill(b, fanIn: inputSize, fanOut: 0, using: &generator) }
        weight = Parameter(name: "weight", value: w)
        bias = Parameter(name: "bias", value: b)
        self.activation = activation
        self.initialization = initialization
    }

    public var parameters: [Parameter] { [weight, bias] }

    public var description: String {
        "Dense(\(inputSize) → \(outputSize)" + activation.listed
            + (initialization == .torchDefault ? "" : ", \(initialization.rawValue)") + ")"
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let n = input.shape[0]
        precondition(
            input.shape.countPerItem == inputSize,
            "Dense(\(inputSize) → \(outputSize)) got input of shape \(input.shape)")
        self.input = input
        let y = Tensor.reuse(&output, shape: Shape(n, outputSize))
        gemm(input, weight.value, transposeB: true, into: y)  // y = x Wᵀ
        // y = f(y + b)
        activation.applyWithBiasInParallel(y.data, rows: n, features: outputSize, bias: bias.value.data)
        return y
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let x = input, let y = output else { preconditionFailure("Dense.backward before forward") }
        precondition(dOutput.shape == y.shape, "Dense dOutput \(dOutput.shape) does not match output \(y.shape)")
        let dZ = activation.preActivationGradient(
            output: y, dOutput: dOutput, buffer: &dPre, bias: computesParameterGradients ? bias : nil)
        if computesParameterGradients { gemm(dZ, transposeA: true, x, into: weight.gradient, beta: 1) }  // dW += dZᵀ x
        guard computesInputGradient else { return noInputGradient }
        let dx = Tensor.reuse(&dInput, shape: x.shape)
        gemm(dZ, weight.value, into: dx)  // dX = dZ W
        return dx
    }
}

extension Activation {
    /// dZ = dOutput * f'(pre) for a fully connected layer's output `y` (N, O), and bias.gradient
    /// += Σ_n dZ[n, :] in the same pass unless `bias` is nil; dZ is `dOutput` itself for the
    /// identity, else `buffer`.
    func preActivationGradient(output y: Tensor, dOutput: Tensor, buffer: inout Tensor?, bias: Parameter?) -> Tensor {
        let dZ = self == .identity ? dOutput : Tensor.reuse(&buffer, shape: y.shape)
        guard let bias else {
            if self != .identity {
                backwardInParallel(output: y.data, dOutput: dOutput.data, dPre: dZ.data, count: y.count)
            }
            return dZ
        }
        backwardWithBiasGradient(
            output: y.data, dOutput: dOutput.data, dPre: dZ.data, rows: y.shape[0], features: y.shape.countPerItem,
            dBias: bias.gradient.data)
        return dZ
    }
}
