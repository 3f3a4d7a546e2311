import Datasets
import Foundation
import Gallery
import Models
import NN

/// A model's run after `ModelRun.train`: trained now, continued, or loaded from its checkpoint.
public struct TrainingResult {
    /// The data it trained on.
    public let data: DatasetSplits
    /// One metrics line per completed epoch (JSON), as `metrics.jsonl` holds them.
    public let metricsLines: [String]
    /// The same epochs as typed records: kept from training, or read once from the checkpoint
    /// of a reused run.
    public let records: [EpochRecord]
    /// The checkpoint that holds the model.
    public let checkpointPath: String
    /// The name of the model that was trained.
    public let modelName: String

    /// A result from the epochs trained in this process (`fresh`) after those a checkpoint
    /// held (`earlier`, its metrics lines).
    init(data: DatasetSplits, earlier: [String], fresh: [EpochRecord], checkpointPath: String, modelName: String) {
        let epochs = earlier.count + fresh.count
        self.data = data
        metricsLines = earlier + fresh.map(\.line)
        records = earlier.compactMap { EpochRecord(line: $0, epochs: epochs) } + fresh
        self.checkpointPath = checkpointPath
        self.modelName = modelName
    }

    /// The data set's name, e.g. "fashion-mnist".
    public var datasetName: String { data.train.name }
    /// Seconds of training, summed over the epochs (each epoch's `seconds`).
    public var trainingSeconds: Double { series(.seconds).reduce(0) { $0 + $1.y } }
    /// Epochs the model has been trained for.
    public var epochs: Int { metricsLines.count }
    /// The last epoch's `metric`, or nil if the run does not report it.
    public func last(_ metric: Metric) -> Double? { records.last?[metric] }
    /// The last epoch's `metric`; an error naming the model and the figure if the run does not
    /// report it (a page then says what is wrong instead of printing NaN).
    public func final(_ metric: Metric) throws -> Double {
        guard let value = last(metric) else {
            throw RunError(
                "\(modelName) on \(datasetName) reports no \(metric) after epoch \(epochs) (it reports \(records.last?.metrics.map(\.0.name).joined(separator: ", ") ?? "nothing"))"
            )
        }
        return value
    }
    /// `metric` epoch by epoch, as (epoch, value) points for a curve; epochs without it are left out.
    public func series(_ metric: Metric) -> [(x: Double, y: Double)] {
        records.compactMap { r in r[metric].map { (Double(r.epoch), $0) } }
    }
    /// How the data's images are laid out in tensor rows.
    public var layout: ImageLayout { ImageLayout(of: data.train) }
    /// Which trained model this is: its checkpoint and epochs, for keys of what is measured on it.
    public var identity: String { "\(checkpointPath)|\(epochs)" }
}

extension ImageLayout {
    /// The layout of `dataset`'s images.
    public init(of dataset: Dataset) {
        self.init(channels: dataset.channels, height: dataset.height, width: dataset.width)
    }
}

/// A run that cannot go on, said in one line that names the flag or file and what was expected.
public struct RunError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = onOneLine(description) }
}

/// One model's run: load the data, then train it, continue it, or reuse its checkpoint.
///
/// A checkpoint the user named is never overwritten or deleted unless they asked: one that
/// cannot be used (not a checkpoint, another model, damaged, a folder or FIFO) is refused with
/// an error and left as it is, unless `retrain` replaces it; one with fewer epochs than asked
/// is continued only with `resume`. A cached checkpoint is gen's own: one with fewer epochs is
/// continued (to exactly the numbers an unbroken run gives), a damaged one retrained.
public struct ModelRun {
    public let request: RunRequest

    public init(_ request: RunRequest) { self.request = request }

    /// The data the request names; a fallback (Fashion-MNIST not installed) is said on stderr.
    public func loadData() throws -> DatasetSplits {
        let data = try request.dataset.load(imageSize: request.imageSize, syntheticCount: request.syntheticCount)
        if let notice = data.notice { printError(notice) }
        guard data.train.count > 0, data.test.count > 0 else {
            throw RunProblem.noImages(
                dataset: request.dataset.argument, training: data.train.count, test: data.test.count)
        }
        return data
    }

    /// Checks what can be checked before any work: a checkpoint the user named that exists must
    /// be a regular file and, unless `retrain`, a checkpoint this version of gen reads. Whether
    /// it holds the right model is known only once the model is built (`train` checks that).
    public func preflight() throws {
        guard let path = try namedCheckpointInPlace() else { return }
        if !request.retrain {
            do { _ = try Checkpoint.read(path) } catch { throw refusal(error) }
        }
    }

    /// The path of a checkpoint the user named that exists, after checking it is a regular
    /// file; nil when no checkpoint is named or the file is not there yet.
    func namedCheckpointInPlace() throws -> String? {
        guard let named = request.checkpoint else { return nil }
        let path = try checkpointPath(named: named)
        guard fileExists(path) else { return nil }
        guard isRegularFile(path) else {
            throw RunProblem.checkpointNotRegularFile(path: path)
        }
        return path
    }

    /// The error for a named checkpoint that cannot be used.
    func refusal(_ error: Error) -> RunProblem {
        .checkpointUnusable(reason: "\(error)")
    }

    /// Trains `model` on `data` with a fresh copy of `optimizer` per parameter group (and its
    /// weights averaged with `averageDecay`, if given), as the request says (or loads it from
    /// its checkpoint); `metadata` goes into the checkpoint with the trainer's own;
    /// `defaultEpochs` is trained when neither the request nor a named checkpoint says; `onEpoch`
    /// sees each epoch trained here. It trains on `request.threads` threads, a count scoped to
    /// this call: a process's entry (`gen`, a script's notebook) sets
    /// the default; a library call changes no one else's.
    /// With `earlyStopping`, the epoch count is a ceiling: training ends when the validation
    /// figure stops improving, with the best epoch's weights (and a cached run that stopped so is
    /// reused as finished).
    public func train(
        _ model: any TrainableModel, optimizer: any Optimizer = Adam(), averageDecay: Float? = nil,
        data: DatasetSplits, metadata: [String: String] = [:], defaultEpochs: Int = RunRequest.defaultEpochs,
        earlyStopping: EarlyStopping? = nil, onEpoch: @escaping (EpochRecord) -> Void = { _ in }
    ) throws -> TrainingResult {
        try train(
            Learner(model, optimizer: optimizer, averageDecay: averageDecay), data: data, metadata: metadata,
            defaultEpochs: defaultEpochs,
            earlyStopping: earlyStopping, onEpoch: onEpoch)
    }

    /// `train(_:optimizer:data:…)` for a model with its optimizers already made (per-group
    /// overrides, clipping).
    public func train(
        _ learner: Learner, data: DatasetSplits, metadata: [String: String] = [:],
        defaultEpochs: Int = RunRequest.defaultEpochs, earlyStopping: EarlyStopping? = nil,
        onEpoch: @escaping (EpochRecord) -> Void = { _ in }
    ) throws -> TrainingResult {
        try BLAS.withThreadCount(request.threads) {
            try trainOnThisThreadCount(
                learner, data: data, metadata: metadata, defaultEpochs: defaultEpochs, earlyStopping: earlyStopping,
                onEpoch: onEpoch)
        }
    }

    private func trainOnThisThreadCount(
        _ learner: Learner, data: DatasetSplits, metadata: [String: String],
        defaultEpochs: Int, earlyStopping: EarlyStopping?, onEpoch: @escaping (EpochRecord) -> Void
    ) throws -> TrainingResult {
        // The file's contents are read once, below: here only what must not be read at all.
        _ = try namedCheckpointInPlace()
        let path = try checkpointPath(for: learner, data: data, earlyStopping: earlyStopping)
        let named = request.checkpoint != nil
        var state = CheckpointState()
        var epochs = request.epochs ?? defaultEpochs

        if request.retrain {
            if named && fileExists(path) { say("Replacing \(path), as asked.") }
        } else if fileExists(path) {
            do {
                let checkpoint = try Checkpoint.read(path)
                try checkpoint.load(into: learner)
                state = checkpoint.state
            } catch {
                guard !named else { throw refusal(error) }
                printError("warning: the cached \(error); training afresh.")
            }
            if named, request.epochs == nil { epochs = max(state.completedEpochs, 1) }
            let done = state.completedEpochs
            // A run that early stopping ended (its last line names the best epoch) is finished.
            let stoppedEarly = state.metricsLines.last.map { $0.contains("\"\(Metric.bestEpoch.name)\"") } ?? false
            if (done >= epochs || stoppedEarly) && done > 0 {
                say(
                    done == epochs
                        ? "Reusing \(path) (\(epochsText(done))); retraining would train it again."
                        : "Reusing \(path) as it is, at epoch \(done) (more than the \(epochs) asked); retraining would train \(epochs)."
                )
                return TrainingResult(
                    data: data, earlier: state.metricsLines, fresh: [], checkpointPath: path,
                    modelName: learner.model.name)
            }
            if done > 0 {
                guard !named || request.resume else {
                    throw RunProblem.checkpointHasFewerEpochs(path: path, have: done, want: epochs)
                }
                say(
                    named
                        ? "Resuming \(path) after epoch \(done)."
                        : "Continuing the cached run \(path) after epoch \(done).")
            }
        } else if request.resume {
            say("No checkpoint at \(path) to resume; training from scratch.")
        }
        // Training writes a checkpoint after every epoch: its folder must take one, said now
        // rather than after the first epoch (a folder named for it is made).
        let checkpointFolder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do { try createFolder(checkpointFolder) } catch {
            throw named
                ? RunProblem.checkpointNotWritable(reason: "\(error)") : RunProblem.cacheUnusable(reason: "\(error)")
        }

        let progress = Progress(quiet: request.quiet)
        var trainer = Trainer(epochs: epochs, batchSize: request.batchSize, seed: request.seed, checkpointPath: path)
        trainer.checkpointMetadata = metadata.merging([
            "data": request.dataset.argument, "threads": String(request.threads),
        ]) { mine, _ in mine }
        trainer.earlyStopping = earlyStopping
        trainer.onStep = progress.report
        var fresh: [EpochRecord] = []
        trainer.onEpoch = { record in
            fresh.append(record)
            progress.report(record)
            onEpoch(record)
        }
        trainer.shouldStop = InterruptFlag.isSet
        InterruptFlag.install()
        defer { progress.finishLine() }
        try trainer.train(learner, data: data, resumingFrom: state)
        return TrainingResult(
            data: data, earlier: state.metricsLines, fresh: fresh, checkpointPath: path, modelName: learner.model.name)
    }

    /// The named checkpoint (through a symbolic link, the file it points to, so the link stays),
    /// or the cache's file for this model, data, seed, batch size and thread count.
    func checkpointPath(for learner: Learner, data: DatasetSplits, earlyStopping: EarlyStopping? = nil) throws
        -> String
    {
        if let named = request.checkpoint { return try checkpointPath(named: named) }
        let base = try cacheFolder()
        // Everything that changes the trained weights except the epoch count, which the file
        // keeps (a longer run continues a shorter one). The data by its contents, not by the
        // path typed: another folder of the same name, or images replaced in place, are other
        // data; the test images too, whose figures the checkpoint's metrics hold.
        // A diffusion model's slice sums its gradients in another order: other bits. Keyed only
        // where it is not the 32 every earlier cache was trained with.
        let slice = (learner.model as? DiffusionModel)?.sliceSize ?? DiffusionModel.defaultSliceSize
        let sliceKey = slice == DiffusionModel.defaultSliceSize ? "" : "|slice=\(slice)"
        let key =
            "\(learner.configurationJSON)|\(data.train.name)|train=\(String(data.train.fingerprint, radix: 16))"
            + "|test=\(String(data.test.fingerprint, radix: 16))|\(request.imageSize ?? 0)"
            + "|seed=\(request.seed)|batch=\(request.batchSize)|threads=\(request.threads)"
            + (earlyStopping.map {
                "|early=\(String($0.validation.fingerprint, radix: 16)),\($0.figure.name),\($0.patience)"
            } ?? "") + sliceKey
        let hash = fnv1a(key)
        let safeName = data.train.name.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        return "\(base)/\(learner.model.name)-\(safeName)-\(String(hash, radix: 16)).safetensors"
    }

    /// gen's cache folder (`--cache`, `$XDG_CACHE_HOME/gen` or `~/.cache/gen`), made if missing.
    /// A cache on read-only media still serves what it holds: writability is checked only when
    /// something is to be written.
    public func cacheFolder() throws -> String {
        let base = request.cacheFolder ?? (environmentFolder("XDG_CACHE_HOME") ?? homeFolder() + "/.cache") + "/gen"
        if !FileManager.default.fileExists(atPath: base) {
            do { try createFolder(base) } catch { throw RunProblem.cacheUnusable(reason: "\(error)") }
        }
        return base
    }

    /// A named checkpoint's path, through symbolic links: writing the file they point to keeps the link.
    func checkpointPath(named: String) throws -> String {
        guard !named.isEmpty else { throw RunProblem.emptyCheckpointPath }
        // Followed by hand: Foundation leaves a link to a file not yet written unresolved.
        var path = URL(fileURLWithPath: named).standardizedFileURL.path
        for _ in 0..<32 {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { return path }
            path =
                target.hasPrefix("/")
                ? target
                : URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(target)
                    .standardizedFileURL.path
        }
        throw RunProblem.checkpointLinkLoop(path: named)
    }

    func say(_ line: String) { if !request.quiet { print(line) } }
}

/// "1 epoch", "3 epochs".
func epochsText(_ n: Int) -> String { n == 1 ? "1 epoch" : "\(n) epochs" }

/// Whether anything is at `path` (a dangling symbolic link counts: writing there would replace it).
func fileExists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
}

/// Whether `path` (through links) is a plain file.
func isRegularFile(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
}

/// A line on stderr: one line, whatever a file name in it holds (control characters shown
/// escaped, a newline as `\n`).
public func printError(_ line: String) {
    FileHandle.standardError.write(Data((onOneLine(line) + "\n").utf8))
}
