/// A multi-dimensional array of `Float`, row-major and contiguous.
///
/// `Tensor` is a reference type, like `torch.Tensor`: layers own their output and gradient
/// buffers and overwrite them on every step, and what they hand on is that buffer, not a copy.
/// That is what keeps a training step free of allocation. Use `copy()` for a value to keep.
/// A tensor's storage has a fixed `capacity`; its `shape` may change within it (a smaller last
/// batch), again without allocating.
public final class Tensor: @unchecked Sendable {
    /// The dimensions, outermost first.
    public private(set) var shape: Shape
    /// How many elements the storage holds; `count` never exceeds it.
    public let capacity: Int
    /// The first element. Valid for `count` elements while this tensor is alive.
    public let data: UnsafeMutablePointer<Float>
    /// For a view: the tensor whose storage this one shares (kept alive by this reference).
    private let storageOwner: Tensor?

    /// A tensor of zeros; `capacity` defaults to the shape's element count.
    public init(zeros shape: Shape, capacity: Int? = nil) {
        let capacity = Swift.max(capacity ?? shape.count, shape.count)
        self.shape = shape
        self.capacity = capacity
        // 64-byte alignment: a cache line, and what the BLAS kernels like best.
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: Swift.max(capacity, 1) * MemoryLayout<Float>.stride,
            alignment: 64)
        data = raw.bindMemory(to: Float.self, capacity: Swift.max(capacity, 1))
        data.initialize(repeating: 0, count: Swift.max(capacity, 1))
        storageOwner = nil
    }

    /// A tensor with every element equal to `value`.
    public convenience init(shape: Shape, repeating value: Float) {
        self.init(zeros: shape)
        data.update(repeating: value, count: count)
    }

    /// A tensor holding `values` in row-major order; their count must match the shape.
    public convenience init(shape: Shape, values: [Float]) {
        precondition(
            values.count == shape.count,
            "\(values.count) values do not fill a tensor of shape \(shape)")
        self.init(zeros: shape)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A view sharing `owner`'s storage under another shape.
    private init(viewOf owner: Tensor, shape: Shape) {
        self.shape = shape
        self.capacity = owner.capacity
        self.data = owner.data
        self.storageOwner = owner.storageOwner ?? owner
    }

    deinit {
        if storageOwner == nil { UnsafeMutableRawPointer(data).deallocate() }
    }

    /// The number of elements.
    public var count: Int { shape.count }

    /// The elements as a buffer of `count` floats.
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: data, count: count) }

    /// The element at flat (row-major) index `i`.
    public subscript(i: Int) -> Float {
        get { precondition(i >= 0 && i < count, "index \(i) out of range for shape \(shape)"); return data[i] }
        set { precondition(i >= 0 && i < count, "index \(i) out of range for shape \(shape)"); data[i] = newValue }
    }

    /// The element at row `row`, column `column` of a matrix, or of item `row` seen as flat.
    public subscript(row: Int, column: Int) -> Float {
        get { self[row * shape.countPerItem + column] }
        set { self[row * shape.countPerItem + column] = newValue }
    }

    /// A copy of the elements as an array, row-major.
    public var scalars: [Float] { Array(buffer) }

    /// A new tensor with the same shape and elements.
    public func copy() -> Tensor {
        let t = Tensor(zeros: shape)
        t.data.update(from: data, count: count)
        return t
    }

    /// Changes the shape in place; the new element count must fit the capacity. Elements keep
    /// their flat positions. Used to resize a reused buffer for a smaller last batch.
    public func reshape(to newShape: Shape) {
        precondition(
            newShape.count <= capacity,
            "shape \(newShape) needs \(newShape.count) elements; capacity is \(capacity)")
        shape = newShape
    }

    /// A tensor that shares this one's storage under another shape with the same element count.
    public func viewed(as newShape: Shape) -> Tensor {
        precondition(newShape.count == count, "cannot view \(shape) as \(newShape)")
        return Tensor(viewOf: self, shape: newShape)
    }

    /// Sets every element to `value`.
    public func fill(_ value: Float) { data.update(repeating: value, count: count) }

    /// Copies `source`'s elements into this tensor, taking its shape (within capacity).
    public func assign(_ source: Tensor) {
        reshape(to: source.shape)
        data.update(from: source.data, count: count)
    }

    /// Makes `buffer` a tensor of `shape`, reusing its storage when it fits: the way a layer
    /// keeps one output buffer across steps and batch sizes.
    public static func reuse(_ buffer: inout Tensor?, shape: Shape) -> Tensor {
        if let b = buffer, b.capacity >= shape.count {
            b.reshape(to: shape)
            return b
        }
        let b = Tensor(zeros: shape)
        buffer = b
        return b
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor\(shape) [\(shown)\(count > 8 ? ", …" : "")]"
    }
}
