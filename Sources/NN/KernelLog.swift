import Synchronization

/// Which library and kernel family each convolution ran on, noted when its code is set up for
/// a shape (in the first step at that shape, never again after): `gen bench` names them beside
/// its timings, because the same command runs different kernels on different CPUs (OpenBLAS's
/// core type, oneDNN's ISA).
public enum KernelLog {
    private static let entries = Mutex<[String]>([])

    /// Notes `entry` once ("Conv2D(64 → 128): oneDNN jit:avx2").
    static func note(_ entry: @autoclosure () -> String) {
        let entry = entry()
        entries.withLock { if !$0.contains(entry) { $0.append(entry) } }
    }

    /// What was noted since the last call, in the order first seen, and a fresh start.
    public static func drain() -> [String] {
        entries.withLock { noted in
            defer { noted.removeAll() }
            return noted
        }
    }
}
