import Foundation

/// Seconds spent in optimizer steps over a stretch of work. Beside `ProductLog`'s seconds in
/// matrix products it splits an epoch in three for `gen bench`: products, the optimizer's
/// pass over every parameter and its moments (a stream of memory the products' floor does not
/// count), and the rest. It records while `ProductLog.shared.isRecording`: one switch, set by
/// the benchmark around the stretch it measures, for both logs.
public final class OptimizerLog: @unchecked Sendable {
    /// The log every optimizer's `step` records into.
    public static let shared = OptimizerLog()

    /// Seconds inside `step` while recording.
    public private(set) var seconds = 0.0
    private let lock = NSLock()

    /// Forgets what was recorded.
    public func reset() { lock.withLock { seconds = 0 } }

    /// Runs `step`, adding its wall time while recording.
    @inline(__always)
    func timed(_ step: () -> Void) {
        guard ProductLog.shared.isRecording else { return step() }
        let start = DispatchTime.now().uptimeNanoseconds
        step()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        lock.withLock { seconds += elapsed }
    }
}
