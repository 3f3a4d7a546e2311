/// Room for the parts of a sum computed by the thread team: each part writes its own sum, and
/// `total` adds them in order, so the same thread count gives the same total, to the bit. The
/// owner keeps one, so that summing allocates nothing.
public final class PartialSums: @unchecked Sendable {
    /// The most parts a sum is split into.
    public static let maximumParts = 256
    /// Part p's sum goes to `sums[p]`.
    public let sums = UnsafeMutablePointer<Double>.allocate(capacity: PartialSums.maximumParts)

    public init() { sums.initialize(repeating: 0, count: PartialSums.maximumParts) }
    deinit { sums.deallocate() }

    /// The sum of the first `parts` parts, in order.
    public func total(of parts: Int) -> Double {
        var total = 0.0
        for p in 0..<Swift.min(parts, PartialSums.maximumParts) { total += sums[p] }
        return total
    }
}
