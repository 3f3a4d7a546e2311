import ArgumentParser

/// The flags every lecture script takes, parsed by swift-argument-parser as `gen`'s are: so
/// `--help` works for every script, unknown flags are refused before any work, and the limits
/// are `gen`'s own.
public struct NotebookOptions: ParsableArguments {
    @Flag(help: "Synthetic digits (2,000 images) and one epoch per model: seconds, a check that the script runs (CI).")
    public var quick = false
    @Option(help: "Write the page into OUT/<script>/.") public var out = "Gallery"
    @Option(help: "The seed of every model and figure.") public var seed: UInt64 = 0
    @Option(help: "Threads for the matrix products and element-wise work.") public var threads = 2
    @Flag(help: "Train every model again instead of reusing cached runs.") public var retrain = false
    @Option(help: "Keep trained models and kept measurements in CACHE (default: $XDG_CACHE_HOME/gen or ~/.cache/gen).")
    public var cache: String?
    @Flag(help: "No live progress line, only a line per epoch.") public var quiet = false

    public init() {}

    public mutating func validate() throws {
        guard !out.isEmpty else {
            throw ValidationError("--out: an empty path names no folder (the default is Gallery)")
        }
        try bound("--threads", threads, 1...Limits.threads)
    }
}
