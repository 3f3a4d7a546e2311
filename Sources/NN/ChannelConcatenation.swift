// Concatenation along the channel axis: a U-Net's skip connection joins the encoder's feature
// map to the decoder's, (N, A, H, W) and (N, B, H, W) into (N, A + B, H, W) (torch.cat(dim=1)).
// Backward splits the gradient the same way: the first A channels go back to the first input.

/// Joins two batches of feature maps channel-wise, and splits their gradient.
public final class ChannelConcatenation {
    private var output: Tensor?
    private var dFirst: Tensor?
    private var dSecond: Tensor?
    private var firstShape: Shape?
    private var secondShape: Shape?

    public init() {}

    /// (N, A, ...) and (N, B, ...) with the same trailing sizes → (N, A + B, ...).
    public func forward(_ first: Tensor, _ second: Tensor) -> Tensor {
        let a = first.shape, b = second.shape
        precondition(
            a.rank >= 2 && a.rank == b.rank && a[0] == b[0] && (2..<a.rank).allSatisfy { a[$0] == b[$0] },
            "ChannelConcatenation cannot join \(a) and \(b): they must differ in channels (axis 1) only")
        let channels = a[1] + b[1]
        let joined =
            switch a.rank {
            case 2: Shape(a[0], channels)
            case 3: Shape(a[0], channels, a[2])
            default: Shape(a[0], channels, a[2], a[3])
            }
        let y = Tensor.reuse(&output, shape: joined)
        let firstItem = a.countPerItem, secondItem = b.countPerItem
        for n in 0..<a[0] {
            (y.data + n * (firstItem + secondItem)).update(from: first.data + n * firstItem, count: firstItem)
            (y.data + n * (firstItem + secondItem) + firstItem).update(
                from: second.data + n * secondItem, count: secondItem)
        }
        (firstShape, secondShape) = (a, b)
        return y
    }

    /// dLoss/dFirst and dLoss/dSecond from dLoss/dOutput.
    public func backward(_ dOutput: Tensor) -> (first: Tensor, second: Tensor) {
        guard let a = firstShape, let b = secondShape else {
            preconditionFailure("ChannelConcatenation.backward before forward")
        }
        precondition(
            dOutput.shape[0] == a[0] && dOutput.shape[1] == a[1] + b[1], "dOutput \(dOutput.shape) does not match")
        let dA = Tensor.reuse(&dFirst, shape: a), dB = Tensor.reuse(&dSecond, shape: b)
        let firstItem = a.countPerItem, secondItem = b.countPerItem
        for n in 0..<a[0] {
            (dA.data + n * firstItem).update(from: dOutput.data + n * (firstItem + secondItem), count: firstItem)
            (dB.data + n * secondItem).update(
                from: dOutput.data + n * (firstItem + secondItem) + firstItem, count: secondItem)
        }
        return (dA, dB)
    }
}
