import Foundation

/// What the matrix products of a stretch of work were: each shape, how often it ran, and the
/// time spent in products. Off unless a benchmark turns it on, since recording a shape costs
/// a dictionary update; `gen bench` uses it to find the GEMM floor of an epoch.
public final class ProductLog: @unchecked Sendable {
    /// The log `gemm` records into while `isRecording`.
    public static let shared = ProductLog()

    /// A product's shape: op(A) is (m, k), op(B) is (k, n).
    public struct Shape: Hashable, Sendable, CustomStringConvertible {
        public let m, n, k: Int
        public let transposeA, transposeB: Bool
        /// Whether the product adds onto C (beta ≠ 0, as gradients accumulate) rather than
        /// overwriting it: overwriting clears C first, which the floor must time only where the
        /// epoch does it.
        public var accumulates = false
        /// Multiply-adds count twice: 2mnk floating-point operations.
        public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
        public var description: String { "\(m)x\(k)\(transposeA ? "ᵀ" : "") by \(k)x\(n)\(transposeB ? "ᵀ" : "")" }
    }

    /// Whether `gemm` records (and optimizer steps are timed, in `OptimizerLog`); set by the
    /// benchmark around the stretch it measures.
    public var isRecording = false
    /// How many times each shape ran.
    public private(set) var counts: [Shape: Int] = [:]
    /// Seconds spent inside `gemm` while recording.
    public private(set) var seconds = 0.0
    private let lock = NSLock()

    /// Forgets what was recorded.
    public func reset() {
        lock.withLock {
            counts = [:]; seconds = 0
        }
    }

    func record(_ shape: Shape, seconds elapsed: Double) {
        lock.withLock {
            counts[shape, default: 0] += 1
            seconds += elapsed
        }
    }

    /// The floating-point operations of everything recorded.
    public var flops: Double { lock.withLock { counts.reduce(0) { $0 + Double($1.value) * $1.key.flops } } }
}
