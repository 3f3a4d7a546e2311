import Foundation

/// Seconds spent in optimizer steps over a stretch of work. Beside `ProductLog`'s seconds in
/// matrix products it splits an epoch in three for `gen bench`: products, the optimizer's
/// pass over every parameter and its moments (a stream of memory the products' floor does not
/// count), and the rest. Off unless a benchmark turns it on.
public final class OptimizerLog: @unchecked Sendable {
    /// The log every optimizer's `step` records into while `isRecording`.
    public static let shared = OptimizerLog()

    /// Whether steps are timed; set by the benchmark around the stretch it measures.
    public var isRecording = false
    /// Seconds inside `step` while recording.
    public private(set) var seconds = 0.0
    private let lock = NSLock()

    /// Forgets what was recorded.
    public func reset() { lock.withLock { seconds = 0 } }

    /// Runs `step`, adding its wall time while recording.
    @inline(__always)
    func timed(_ step: () -> Void) {
        guard isRecording else { return step() }
        let start = DispatchTime.now().uptimeNanoseconds
        step()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        lock.withLock { seconds += elapsed }
    }
}
