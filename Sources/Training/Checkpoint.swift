import Foundation
import Models
import NN

/// What a checkpoint says besides its tensors: how far training got, and its metrics so far.
public struct CheckpointState: Equatable, Sendable {
    public var completedEpochs = 0
    public var metricsLines: [String] = []

    public init(completedEpochs: Int = 0, metricsLines: [String] = []) {
        self.completedEpochs = completedEpochs
        self.metricsLines = metricsLines
    }

    /// Writes `learner`'s tensors (the model's and its optimizers') with this state and the
    /// configuration as metadata (atomically: a reader sees the old file or the whole new one).
    public func save(
        _ learner: Learner, to path: String, seed: UInt64, datasetName: String,
        extraMetadata: [String: String] = [:]
    ) throws {
        let own = [
            "configuration": learner.configurationJSON, "model": learner.model.name, "dataset": datasetName,
            "seed": String(seed),
            "completed_epochs": String(completedEpochs), "metrics": metricsLines.joined(separator: "\n"),
            "format": Checkpoint.format,
        ]
        try SafeTensors.write(
            learner.checkpointTensors, metadata: extraMetadata.merging(own) { _, mine in mine }, to: path)
    }

    /// Loads `path` into `learner` and returns its state: `Checkpoint.read`, then `load(into:)`.
    public static func load(into learner: Learner, from path: String) throws -> CheckpointState {
        let checkpoint = try Checkpoint.read(path)
        try checkpoint.load(into: learner)
        return checkpoint.state
    }
}

/// A gen checkpoint read from disk and checked, not yet loaded into a model: what a caller
/// looks at to decide (reuse, continue, refuse) before anything of a model changes.
public struct Checkpoint {
    /// The metadata `format` of checkpoints this version writes. Files of another format are
    /// refused with a message naming it (gen-1 files predate models built from given networks).
    public static let format = "gen-2"

    /// The file.
    public let path: String
    /// Its tensors and metadata.
    public let contents: SafeTensors.Contents
    /// Epochs done and their metrics lines.
    public let state: CheckpointState

    /// The file's metadata.
    public var metadata: [String: String] { contents.metadata }
    /// The configuration of the model that wrote it.
    public var configurationJSON: String { metadata["configuration"] ?? "" }
    /// The name of the model that wrote it ("ae", ...).
    public var modelName: String { metadata["model"] ?? "" }

    /// Reads and checks `path`: a safetensors file written by this version of gen, whose epoch
    /// count and metrics agree, and whose every value is finite.
    /// A file asked for again (a run checks the file the user named before any work, reads its
    /// settings, then loads it) is read from the disk once: the last file read is kept while its
    /// identity (device, inode, size, modification time) stays the same.
    public static func read(_ path: String) throws -> Checkpoint {
        let identity = FileIdentity(path)
        if let identity, let kept = lastRead.value(for: path, identity) { return kept }
        let checkpoint = try readFromDisk(path)
        if let identity { lastRead.keep(checkpoint, for: path, identity) }
        return checkpoint
    }

    private static let lastRead = LastRead()

    /// What tells one version of a file from another without reading it.
    struct FileIdentity: Equatable {
        let device: UInt64, inode: UInt64, size: Int64, seconds: Int, nanoseconds: Int
        init?(_ path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            (device, inode, size) = (UInt64(info.st_dev), UInt64(info.st_ino), Int64(info.st_size))
            (seconds, nanoseconds) = (Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec))
        }
    }

    /// The last checkpoint read, by path and identity.
    final class LastRead: @unchecked Sendable {
        private var kept: (path: String, identity: FileIdentity, checkpoint: Checkpoint)?
        private let lock = NSLock()
        func value(for path: String, _ identity: FileIdentity) -> Checkpoint? {
            lock.withLock { kept.flatMap { $0.path == path && $0.identity == identity ? $0.checkpoint : nil } }
        }
        func keep(_ checkpoint: Checkpoint, for path: String, _ identity: FileIdentity) {
            lock.withLock { kept = (path, identity, checkpoint) }
        }
    }

    static func readFromDisk(_ path: String) throws -> Checkpoint {
        let contents = try SafeTensors.read(from: path)
        let metadata = contents.metadata
        guard let format = metadata["format"], metadata["configuration"] != nil else {
            throw FileError(
                path: path, "a safetensors file, but not a gen checkpoint (no format or configuration in its metadata)")
        }
        guard format == Checkpoint.format else {
            throw FileError(
                path: path,
                "made by another version of gen (checkpoint format \(format), this version reads \(Checkpoint.format))")
        }
        guard let text = metadata["completed_epochs"], let epochs = Int(text), epochs >= 0 else {
            throw FileError(
                path: path,
                "completed_epochs is '\(metadata["completed_epochs"] ?? "missing")', expected a count of epochs (0 or more)"
            )
        }
        let lines = (metadata["metrics"] ?? "").split(separator: "\n").map(String.init)
        guard lines.count == epochs else {
            throw FileError(path: path, "says \(epochs) completed epochs but holds metrics for \(lines.count)")
        }
        if let bad = contents.tensors.first(where: { !$0.value.isFinite }) {
            throw FileError(
                path: path, "tensor '\(bad.name)' holds NaN or infinite values (a diverged or damaged checkpoint)")
        }
        return Checkpoint(
            path: path, contents: contents, state: CheckpointState(completedEpochs: epochs, metricsLines: lines))
    }

    /// Copies the tensors into `learner`'s model and optimizers. The configuration, and every
    /// tensor's name and shape, are checked first, so a refused file leaves them as they were.
    public func load(into learner: Learner) throws {
        guard configurationJSON == learner.configurationJSON else {
            throw FileError(path: path, "holds another model or configuration: \(configurationJSON)")
        }
        if learner.weightAverage != nil, let state = contents[WeightAverage.stateName],
            let problem = WeightAverage.problem(withState: state.scalars)
        {
            throw FileError(path: path, problem)
        }
        try SafeTensors.load(into: learner.checkpointTensors, from: contents, path: path)
    }
}
