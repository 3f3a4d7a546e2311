/// Room for the parts of a sum computed by the thread team: each part writes its own sum, and
/// `total` adds them in order, so the same thread count gives the same total, to the bit. The
/// owner keeps one, so that summing allocates nothing.
public final class PartialSums: @unchecked Sendable {
    /// The most parts a sum is split into.
    public static let maximumParts = 256
    /// Part p's sum goes to `sums[p]`.
    public let sums = UnsafeMutablePointer<Double>.allocate(capacity: PartialSums.maximumParts)
    /// How many parts the job ran: part 0 (always the calling thread's) writes it.
    public let parts = UnsafeMutablePointer<Int>.allocate(capacity: 1)

    public init() {
        sums.initialize(repeating: 0, count: PartialSums.maximumParts)
        parts.initialize(to: 1)
    }
    deinit { sums.deallocate(); parts.deallocate() }

    /// The sum of the parts the last job ran, in order.
    public var total: Double {
        var total = 0.0
        for p in 0..<Swift.min(parts.pointee, PartialSums.maximumParts) { total += sums[p] }
        return total
    }
}
