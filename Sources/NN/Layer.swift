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
/// A layer may keep a reference to its input instead of a copy (a convolution reads it again
/// for its weights' gradient, a normalisation makes x̂ again from it): the input must stay as
/// it was until that layer's backward. A map may be changed in place before the next layer
/// reads it (the U-Net adds the time's shift to a convolution's output), never after.
/// Its `description` names its architecture (`Dense(784 → 512, relu)`): models record it in
/// their configuration, so a cache key or a checkpoint says which network it holds.
public protocol Layer: AnyObject, CustomStringConvertible {
    /// The layer's output for `input`; `training` selects batch statistics and dropout.
    func forward(_ input: Tensor, training: Bool) -> Tensor
    /// dLoss/dInput for the last `forward`, given dLoss/dOutput; adds to parameter gradients.
    func backward(_ dOutput: Tensor) -> Tensor
    /// The trainable tensors, named relative to this layer.
    var parameters: [Parameter] { get }
    /// Non-trainable state kept in checkpoints (a batch norm's running statistics).
    var buffers: [NamedTensor] { get }
    /// When false, `backward` skips dLoss/dInput and returns an empty tensor: for a first layer,
    /// whose input is data, that saves a product (or a whole pass) per step.
    var computesInputGradient: Bool { get set }
    /// When false, `backward` leaves the parameters' gradients as they are and skips the work
    /// that makes them, passing only dLoss/dInput back (PyTorch's `requires_grad_(False)`): the
    /// GAN's generator step needs D's input gradient, never D's weight gradients. Layers without
    /// parameters have nothing to skip and ignore it.
    var computesParameterGradients: Bool { get set }
}

/// What `backward` returns when `computesInputGradient` is false.
let noInputGradient = Tensor(zeros: [0])

extension Layer {
    public var parameters: [Parameter] { [] }
    public var computesParameterGradients: Bool {
        get { true }
        set {}
    }
    public var buffers: [NamedTensor] { [] }

    /// Everything a checkpoint stores: parameter values, then buffers.
    public var stateTensors: [NamedTensor] {
        parameters.map { NamedTensor(name: $0.name, value: $0.value) } + buffers
    }

    /// The output in inference mode.
    public func callAsFunction(_ input: Tensor) -> Tensor { forward(input, training: false) }
}

extension Array where Element == Parameter {
    /// Sets every gradient to zero, each thread of the team taking its share of every gradient
    /// (alone, the caller took ~1% of a VAE step while the other core waited).
    public func zeroGradients() {
        withUnsafeBufferPointer { parameters in
            var job = ZeroGradientsJob(parameters: parameters)
            ThreadTeam.shared.run(&job, parallel: scalarCount >= elementwiseParallelThreshold) { context, part, parts in
                context.assumingMemoryBound(to: ZeroGradientsJob.self).pointee.compute(part, of: parts)
            }
        }
    }

    /// ‖g‖₂ over every gradient together, the squares summed in Double in parameter order.
    public var gradientNorm: Double {
        var squares = 0.0
        for p in self {
            let g = p.gradient.data
            for i in 0..<p.gradient.count { squares += Double(g[i]) * Double(g[i]) }
        }
        return squares.squareRoot()
    }

    /// The total number of trainable values.
    public var scalarCount: Int { reduce(0) { $0 + $1.value.count } }

    /// Each tensor once, under the first name it appears with: a weight shared by two layers (tied
    /// weights) is one parameter, so an optimizer updates it once per step (tinygrad's `dedup`).
    public func deduplicated() -> [Parameter] {
        var seen = Set<ObjectIdentifier>()
        return filter { seen.insert(ObjectIdentifier($0.value)).inserted }
    }
}

/// Sub-layers under their property names, listed once: the parameters and the checkpoint
/// tensors of a model (or of a `Sequential`) both derive from this one list.
public struct NamedLayers {
    /// The sub-layers, in order, each with the name its tensors are prefixed with.
    public let entries: [(name: String, layer: any Layer)]

    public init(_ entries: [(name: String, layer: any Layer)]) { self.entries = entries }

    /// Every sub-layer's parameters, named `<entry>.<parameter>`, each tensor once.
    public var parameters: [Parameter] {
        entries.flatMap { entry in entry.layer.parameters.map { $0.prefixed(entry.name) } }.deduplicated()
    }

    /// Every sub-layer's buffers, named `<entry>.<buffer>`.
    public var buffers: [NamedTensor] {
        entries.flatMap { entry in entry.layer.buffers.map { $0.prefixed(entry.name) } }
    }

    /// What a checkpoint stores of these layers: parameter values (each once), then buffers.
    public var stateTensors: [NamedTensor] {
        parameters.map { NamedTensor(name: $0.name, value: $0.value) } + buffers
    }
}

/// Zeroing every gradient, shared out among the thread team.
struct ZeroGradientsJob {
    let parameters: UnsafeBufferPointer<Parameter>

    func compute(_ part: Int, of parts: Int) {
        for p in parameters {
            let range = ThreadTeam.range(part, of: parts, in: p.gradient.count)
            (p.gradient.data + range.lowerBound).update(repeating: 0, count: range.count)
        }
    }
}
