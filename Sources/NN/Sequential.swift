/// Layers applied one after another; backward runs them in reverse.
public final class Sequential: Layer {
    /// The layers, first to last. Their tensors are named `layers.<index>.<name>`.
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) { self.layers = layers }
    public convenience init(_ layers: any Layer...) { self.init(layers) }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        var x = input
        for layer in layers { x = layer.forward(x, training: training) }
        return x
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        var d = dOutput
        for layer in layers.reversed() { d = layer.backward(d) }
        return d
    }

    public var parameters: [Parameter] {
        layers.enumerated().flatMap { i, layer in layer.parameters.map { $0.prefixed("layers.\(i)") } }
    }

    public var buffers: [NamedTensor] {
        layers.enumerated().flatMap { i, layer in layer.buffers.map { $0.prefixed("layers.\(i)") } }
    }
}
