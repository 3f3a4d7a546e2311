/// The dimensions of a tensor, at most four (N, C, H, W), stored inline so that changing a
/// buffer's shape inside a training step allocates nothing.
public struct Shape: Equatable, Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// The largest rank a `Shape` holds: enough for (N, C, H, W) images.
    public static let maximumRank = 4

    private var storage: (Int, Int, Int, Int)
    /// The number of dimensions.
    public let rank: Int

    /// A shape from its dimensions, outermost first; each must be non-negative.
    public init(_ dimensions: [Int]) {
        precondition(
            dimensions.count <= Shape.maximumRank,
            "a Shape holds at most \(Shape.maximumRank) dimensions, got \(dimensions)")
        precondition(dimensions.allSatisfy { $0 >= 0 }, "negative dimension in \(dimensions)")
        var s = (1, 1, 1, 1)
        withUnsafeMutableBytes(of: &s) { raw in
            let p = raw.bindMemory(to: Int.self)
            for (i, d) in dimensions.enumerated() { p[i] = d }
        }
        storage = s
        rank = dimensions.count
    }

    /// A shape from its dimensions, outermost first.
    public init(_ dimensions: Int...) { self.init(dimensions) }

    // Fixed-arity forms build no array (a literal or variadic list does, on the heap): hot
    // paths use these so that a training step allocates nothing.
    /// A vector shape (n).
    public init(_ d0: Int) { storage = (d0, 1, 1, 1); rank = 1 }
    /// A matrix shape (rows, columns).
    public init(_ d0: Int, _ d1: Int) { storage = (d0, d1, 1, 1); rank = 2 }
    /// A rank-3 shape.
    public init(_ d0: Int, _ d1: Int, _ d2: Int) { storage = (d0, d1, d2, 1); rank = 3 }
    /// A rank-4 shape, e.g. (N, C, H, W).
    public init(_ d0: Int, _ d1: Int, _ d2: Int, _ d3: Int) { storage = (d0, d1, d2, d3); rank = 4 }

    /// A batch of `batch` items of shape `item`: (batch, item...).
    public init(batch: Int, item: Shape) {
        precondition(item.rank < Shape.maximumRank, "an item of \(item) leaves no room for a batch dimension")
        var s = (batch, 1, 1, 1)
        withUnsafeMutableBytes(of: &s) { raw in
            let p = raw.bindMemory(to: Int.self)
            for i in 0..<item.rank { p[i + 1] = item[i] }
        }
        storage = s
        rank = item.rank + 1
    }

    public init(arrayLiteral elements: Int...) { self.init(elements) }

    /// The size of dimension `axis` (negative axes count from the end).
    public subscript(axis: Int) -> Int {
        let a = axis < 0 ? rank + axis : axis
        precondition(a >= 0 && a < rank, "axis \(axis) out of range for shape \(self)")
        return withUnsafeBytes(of: storage) { $0.load(fromByteOffset: a * MemoryLayout<Int>.stride, as: Int.self) }
    }

    /// The dimensions as an array, outermost first.
    public var dimensions: [Int] { (0..<rank).map { self[$0] } }

    /// The number of elements: the product of the dimensions (1 for a scalar).
    public var count: Int {
        var n = 1
        for i in 0..<rank { n *= self[i] }
        return n
    }

    /// Elements per outermost index: for (N, F) that is F, for (N, C, H, W) it is C*H*W.
    public var countPerItem: Int { rank == 0 ? 1 : (self[0] == 0 ? 0 : count / self[0]) }

    /// The same shape with the outermost dimension replaced (a batch of another size).
    public func withBatch(_ batch: Int) -> Shape {
        var copy = self
        precondition(rank >= 1, "a scalar has no batch dimension")
        withUnsafeMutableBytes(of: &copy.storage) { $0.storeBytes(of: batch, as: Int.self) }
        return copy
    }

    public static func == (a: Shape, b: Shape) -> Bool {
        guard a.rank == b.rank else { return false }
        for i in 0..<a.rank where a[i] != b[i] { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        for i in 0..<rank { hasher.combine(self[i]) }
    }

    public var description: String { "(" + dimensions.map(String.init).joined(separator: ", ") + ")" }
}
