@_exported import TensorCore

/// A trainable tensor with its name and its gradient.
///
/// Gradients accumulate (`+=`) over backward passes until `Optimizer.step()` consumes them and
/// `zeroGradients()` clears them, as in PyTorch.
public struct Parameter {
    /// The dotted path from the model to this tensor, e.g. `encoder.layers.0.weight`.
    public var name: String
    /// The current value.
    public let value: Tensor
    /// dLoss/dValue, accumulated since the last `zeroGradients()`.
    public let gradient: Tensor

    /// A parameter holding `value`, with a zero gradient of the same shape.
    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
        self.gradient = Tensor(zeros: value.shape)
    }

    init(name: String, value: Tensor, gradient: Tensor) {
        self.name = name
        self.value = value
        self.gradient = gradient
    }

    /// The same parameter named under `prefix` (`prefix.name`).
    public func prefixed(_ prefix: String) -> Parameter {
        Parameter(name: prefix + "." + name, value: value, gradient: gradient)
    }
}

/// A named tensor: what a checkpoint stores.
public struct NamedTensor {
    /// The dotted path from the model to this tensor.
    public var name: String
    /// The tensor.
    public let value: Tensor

    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
    }

    /// The same tensor named under `prefix` (`prefix.name`).
    public func prefixed(_ prefix: String) -> NamedTensor { NamedTensor(name: prefix + "." + name, value: value) }
}

/// A differentiable building block: `forward` computes and caches what `backward` needs;
/// `backward` takes dLoss/dOutput, accumulates the parameters' gradients and returns dLoss/dInput.
///
/// The tensors a layer returns are its own buffers, overwritten by its next call: a layer
/// allocates them on first use (or when a batch outgrows them) and reuses them after that.
public protocol Layer: AnyObject {
    /// The layer's output for `input`; `training` selects batch statistics and dropout.
    func forward(_ input: Tensor, training: Bool) -> Tensor
    /// dLoss/dInput for the last `forward`, given dLoss/dOutput; adds to parameter gradients.
    func backward(_ dOutput: Tensor) -> Tensor
    /// The trainable tensors, named relative to this layer.
    var parameters: [Parameter] { get }
    /// Non-trainable state kept in checkpoints (a batch norm's running statistics).
    var buffers: [NamedTensor] { get }
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public var buffers: [NamedTensor] { [] }

    /// Everything a checkpoint stores: parameter values, then buffers.
    public var stateTensors: [NamedTensor] {
        parameters.map { NamedTensor(name: $0.name, value: $0.value) } + buffers
    }

    /// The output in inference mode.
    public func callAsFunction(_ input: Tensor) -> Tensor { forward(input, training: false) }
}

extension Array where Element == Parameter {
    /// Sets every gradient to zero.
    public func zeroGradients() { for p in self { p.gradient.fill(0) } }

    /// The total number of trainable values.
    public var scalarCount: Int { reduce(0) { $0 + $1.value.count } }
}
