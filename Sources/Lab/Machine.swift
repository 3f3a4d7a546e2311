import Foundation

/// The machine a run measured on, for reports and pages: figures are only comparable on one.
public enum Machine {
    /// The processor's name, from /proc/cpuinfo.
    public static var cpuModel: String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return info.split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
    }

    /// "AMD EPYC 7B13, 2 cores".
    public static var description: String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return "\(cpuModel), \(cores) core\(cores == 1 ? "" : "s")"
    }

    /// "AMD EPYC 7B13, OpenBLAS's Zen kernels": what a speed figure was measured on.
    public static var speedDescription: String { "\(cpuModel), OpenBLAS's \(BLAS.kernels) kernels" }
}
