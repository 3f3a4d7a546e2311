import TensorCore

/// One mini-batch: the images as floats, and the labels of the same images.
public struct Batch {
    /// (N, C*H*W) in the range the batches were asked for; a buffer reused by the next batch.
    public let images: Tensor
    /// Which images of the data set these are, in batch order (empty for images from elsewhere).
    public let indices: ArraySlice<Int>
    /// The images' class labels, in batch order (a view: building it allocates nothing).
    public let labels: Labels

    /// Images `indices` of `dataset`, already converted into `images`.
    public init(images: Tensor, indices: ArraySlice<Int>, dataset: Dataset) {
        self.images = images
        self.indices = indices
        labels = Labels(all: dataset.labels, indices: indices)
    }

    /// A batch of images that belong to no data set (tests, benchmarks, scripts), with their
    /// labels if they have any (a model that needs labels checks that they are there).
    public init(images: Tensor, labels: [Int] = []) {
        self.images = images
        self.indices = ArraySlice()  // from no data set
        self.labels = Labels(all: labels, indices: nil)
    }

    /// The number of images.
    public var count: Int { images.shape[0] }

    /// The labels of a batch's images, looked up in the data set's labels as they are read.
    public struct Labels: RandomAccessCollection, Sendable {
        let all: [Int]
        let indices: ArraySlice<Int>?
        public var startIndex: Int { 0 }
        public var endIndex: Int { indices?.count ?? all.count }
        public subscript(position: Int) -> Int {
            guard let indices else { return all[position] }
            return all[indices[indices.startIndex + position]]
        }
    }
}

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

        /// The next batch: its images (in the shared buffer), indices and labels.
        public mutating func next() -> Batch? {
            guard position < batches.count else { return nil }
            let indices = batches.indices(ofBatch: position)
            position += 1
            batches.dataset.fill(batches.buffer, indices: indices, range: batches.range)
            return Batch(images: batches.buffer, indices: indices, dataset: batches.dataset)
        }
    }

    public func makeIterator() -> Iterator { Iterator(batches: self) }
}
