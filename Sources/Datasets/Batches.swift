import TensorCore

/// Shuffled mini-batches over a data set, one epoch at a time. The order comes from the seeded
/// generator; the last batch holds the remainder (smaller, never dropped). The batch tensor is
/// reused, so iterating allocates nothing per batch.
public struct Batches: Sequence {
    public let dataset: Dataset
    public let batchSize: Int
    public let range: PixelRange
    let order: [Int]
    let buffer: Tensor

    /// One epoch over `dataset` in an order drawn from `generator` (or in file order when nil).
    public init(_ dataset: Dataset, batchSize: Int, range: PixelRange, shuffledBy generator: inout SeededGenerator?) {
        precondition(batchSize > 0, "batch size must be positive")
        self.dataset = dataset
        self.batchSize = batchSize
        self.range = range
        var order = Array(0..<dataset.count)
        if generator != nil { generator!.shuffle(&order) }
        self.order = order
        buffer = Tensor(zeros: [Swift.min(batchSize, Swift.max(dataset.count, 1)), dataset.imageSize])
    }

    /// The number of batches in the epoch, counting a smaller last one.
    public var count: Int { (order.count + batchSize - 1) / batchSize }

    /// The image indices of batch `b`.
    public func indices(ofBatch b: Int) -> ArraySlice<Int> {
        order[(b * batchSize)..<Swift.min((b + 1) * batchSize, order.count)]
    }

    public struct Iterator: IteratorProtocol {
        let batches: Batches
        var position = 0

        /// The next batch's images (in the shared buffer) and their indices.
        public mutating func next() -> (images: Tensor, indices: ArraySlice<Int>)? {
            guard position < batches.count else { return nil }
            let indices = batches.indices(ofBatch: position)
            position += 1
            batches.dataset.fill(batches.buffer, indices: indices, range: batches.range)
            return (batches.buffer, indices)
        }
    }

    public func makeIterator() -> Iterator { Iterator(batches: self) }
}
