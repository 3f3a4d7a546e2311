/// Layers applied one after another; backward runs them in reverse.
public final class Sequential: Layer {
    /// The layers, first to last. Their tensors are named `layers.<index>.<name>`.
    public let layers: [any Layer]
    private let named: NamedLayers
    /// The leading layers up to and including the first with parameters: those that skip their
    /// input gradient when this one does (found once: listing parameters allocates).
    private let leadingLayerCount: Int

    public init(_ layers: [any Layer]) {
        self.layers = layers
        named = NamedLayers(layers.enumerated().map { (name: "layers.\($0.offset)", layer: $0.element) })
        leadingLayerCount = (layers.firstIndex { !$0.parameters.isEmpty } ?? layers.count - 1) + 1
    }
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

    public var parameters: [Parameter] { named.parameters }
    public var buffers: [NamedTensor] { named.buffers }

    /// Setting it reaches the leading layers up to and including the first with parameters:
    /// a `Flatten` before the first `Dense` needs no gradient either, and nothing after that
    /// layer may skip its own (the parameters before it need it).
    public var computesInputGradient: Bool {
        get { layers.first?.computesInputGradient ?? true }
        set { for i in 0..<leadingLayerCount { layers[i].computesInputGradient = newValue } }
    }

    /// Setting it reaches every layer.
    public var computesParameterGradients = true {
        didSet { for layer in layers { layer.computesParameterGradients = computesParameterGradients } }
    }

    public var description: String { "Sequential(" + layers.map(\.description).joined(separator: ", ") + ")" }
}
