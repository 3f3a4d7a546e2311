// Shape changes that move no data: the output shares the input's storage.

/// Reshapes each item of a batch: (N, ...) → (N, itemShape...). Flatten is `Reshape` to one dimension.
public final class Reshape: Layer {
    /// The shape of one item after the layer, e.g. [784] or [1, 28, 28].
    public let itemShape: [Int]
    public var computesInputGradient = true
    private let item: Shape
    private var inputShape: Shape?
    private var outputViews: [Tensor] = []
    private var dInputViews: [Tensor] = []

    public init(itemShape: [Int]) {
        precondition(
            itemShape.count < Shape.maximumRank, "an item shape has at most \(Shape.maximumRank - 1) dimensions")
        self.itemShape = itemShape
        item = Shape(itemShape)
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(
            input.shape.countPerItem == itemShape.reduce(1, *),
            "cannot reshape items of \(input.shape) to \(itemShape)")
        inputShape = input.shape
        return Reshape.view(of: input, as: Shape(batch: input.shape[0], item: item), cache: &outputViews)
    }

    public var description: String { "Reshape(" + itemShape.map(String.init).joined(separator: "×") + ")" }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard computesInputGradient else { return noInputGradient }
        guard let shape = inputShape else { preconditionFailure("Reshape.backward before forward") }
        return Reshape.view(of: dOutput, as: shape.withBatch(dOutput.shape[0]), cache: &dInputViews)
    }

    /// Views kept per layer: a GAN's discriminator sees real batches and the generator's
    /// output in turn, two storages, each step.
    static let cachedViews = 4

    /// A view of `tensor` with `shape`, reusing a cached view object that already looks at the
    /// same storage, so a step allocates nothing. (A cached view keeps its storage alive, so
    /// its address cannot be reused by another tensor.)
    static func view(of tensor: Tensor, as shape: Shape, cache: inout [Tensor]) -> Tensor {
        for v in cache where v.data == tensor.data {
            v.reshape(to: shape)
            return v
        }
        let v = tensor.viewed(as: shape)
        if cache.count >= cachedViews { cache.removeFirst() }
        cache.append(v)
        return v
    }
}

/// Flattens each item of a batch to a vector: (N, C, H, W) → (N, C*H*W).
public final class Flatten: Layer {
    public var computesInputGradient = true
    private var inputShape: Shape?
    private var outputViews: [Tensor] = []
    private var dInputViews: [Tensor] = []

    public init() {}

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        inputShape = input.shape
        return Reshape.view(of: input, as: Shape(input.shape[0], input.shape.countPerItem), cache: &outputViews)
    }

    public var description: String { "Flatten" }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard computesInputGradient else { return noInputGradient }
        guard let shape = inputShape else { preconditionFailure("Flatten.backward before forward") }
        return Reshape.view(of: dOutput, as: shape.withBatch(dOutput.shape[0]), cache: &dInputViews)
    }
}
