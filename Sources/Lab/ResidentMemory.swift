import Foundation
import Models

/// The process's resident memory at its peak (Linux's VmHWM, in MB of 2²⁰ bytes, as
/// `getrusage`'s maximum), which the process may set back to its current size: a benchmark's
/// peak is then that of the stretch it measures, not of everything before it (the operands of
/// a floor timing, or a model measured earlier in the same run).
enum ResidentMemory {
    /// Sets the peak back to the resident size now (`clear_refs` 5); false where /proc does not allow it.
    @discardableResult
    static func resetPeak() -> Bool {
        guard let file = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? file.close() }
        return (try? file.write(contentsOf: Data("5".utf8))) != nil
    }

    /// The peak since the last reset (VmHWM), or the process's whole peak where /proc cannot say.
    static func peakMB() -> Double {
        if let kilobytes = procKilobytes("/proc/self/status", field: "VmHWM") { return kilobytes / 1024 }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
