import Foundation
import Testing
@testable import Lab

/// Tiny data: 200 synthetic digits for training, 40 for testing.
let tinyData = DatasetSplits(
    train: SyntheticDigits.make(count: 200, seed: 1), test: SyntheticDigits.make(count: 40, seed: 2))

func tinyAutoencoder(seed: UInt64 = 0) -> Autoencoder { Autoencoder(hiddenSizes: [16], latentDimension: 3, seed: seed) }

func scratchFolder() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("gen-lab-\(UUID())").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func quietRequest(checkpoint: String? = nil, epochs: Int? = 1, cache: String? = nil) -> RunRequest {
    var r = RunRequest()
    (r.checkpoint, r.epochs, r.quiet, r.givenBatchSize, r.cacheFolder) = (checkpoint, epochs, true, 50, cache)
    return r
}

func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

@Suite("A checkpoint the user names is never destroyed by mistake")
struct CheckpointPolicyTests {
    @Test("a named file that is not a checkpoint is refused, untouched, and --retrain replaces it")
    func notACheckpoint() throws {
        let folder = try scratchFolder()
        let notes = folder + "/notes.txt"
        try Data("notes\n".utf8).write(to: URL(fileURLWithPath: notes))
        #expect(throws: RunProblem.self) { try ModelRun(quietRequest(checkpoint: notes)).preflight() }
        do {
            _ = try ModelRun(quietRequest(checkpoint: notes)).train(tinyAutoencoder(), data: tinyData)
            Issue.record("expected a refusal")
        } catch {
            #expect(
                "\(error)".contains("checkpoint \(notes): truncated") && "\(error)".contains("left untouched")
                    && !"\(error)".contains("--"), "\(error)")
        }
        #expect(bytes(notes) == Data("notes\n".utf8))
        var retrain = quietRequest(checkpoint: notes)
        retrain.retrain = true
        _ = try ModelRun(retrain).train(tinyAutoencoder(), data: tinyData)
        #expect(try Checkpoint.read(notes).state.completedEpochs == 1)
    }

    @Test("another model's checkpoint is refused and left as it was")
    func anotherModel() throws {
        let folder = try scratchFolder()
        let path = folder + "/vae.safetensors"
        _ = try ModelRun(quietRequest(checkpoint: path)).train(
            VariationalAutoencoder(hiddenSizes: [16], latentDimension: 3, seed: 0), data: tinyData)
        let before = bytes(path)
        #expect(throws: RunProblem.self) {
            _ = try ModelRun(quietRequest(checkpoint: path)).train(tinyAutoencoder(), data: tinyData)
        }
        #expect(bytes(path) == before)
    }

    @Test("a folder named as the checkpoint is refused before any training")
    func folderAsCheckpoint() throws {
        let folder = try scratchFolder()
        var request = quietRequest(checkpoint: folder)
        request.retrain = true
        do { try ModelRun(request).preflight(); Issue.record("expected a refusal") } catch {
            #expect("\(error)".contains("not a regular file"), "\(error)")
        }
    }

    @Test(
        "more epochs than asked: reused as it is; fewer: continued only with resume; no --epochs: the file's own count")
    func epochCounts() throws {
        let folder = try scratchFolder()
        let path = folder + "/ae.safetensors"
        let trained = Learner(tinyAutoencoder())
        _ = try ModelRun(quietRequest(checkpoint: path, epochs: 3)).train(trained, data: tinyData)
        let threeEpochs = bytes(path)

        let reused = Learner(tinyAutoencoder())
        let result = try ModelRun(quietRequest(checkpoint: path, epochs: 1)).train(reused, data: tinyData)
        #expect(result.epochs == 3 && bytes(path) == threeEpochs)
        #expect(reused.checkpointTensors.map { $0.value.scalars } == trained.checkpointTensors.map { $0.value.scalars })
        #expect(
            try ModelRun(quietRequest(checkpoint: path, epochs: nil)).train(tinyAutoencoder(), data: tinyData).epochs
                == 3)

        do {
            _ = try ModelRun(quietRequest(checkpoint: path, epochs: 4)).train(tinyAutoencoder(), data: tinyData)
            Issue.record("expected a refusal")
        } catch {
            #expect("\(error)".contains("has 3 epochs of the 4 asked; resume it, replace it, or ask for 3"), "\(error)")
        }
        #expect(bytes(path) == threeEpochs)
        var resume = quietRequest(checkpoint: path, epochs: 4)
        resume.resume = true
        #expect(try ModelRun(resume).train(tinyAutoencoder(), data: tinyData).epochs == 4)
    }

    @Test("a cached run with fewer epochs is continued, to exactly the weights of an unbroken run")
    func cacheContinues() throws {
        let cache = try scratchFolder()
        _ = try ModelRun(quietRequest(epochs: 1, cache: cache)).train(tinyAutoencoder(), data: tinyData)
        let continued = Learner(tinyAutoencoder())
        let result = try ModelRun(quietRequest(epochs: 2, cache: cache)).train(continued, data: tinyData)
        #expect(result.epochs == 2)
        let unbroken = Learner(tinyAutoencoder())
        // On the runs' thread count: a run's numbers are the same for the same count.
        _ = try BLAS.withThreadCount(quietRequest().threads) {
            try Trainer(epochs: 2, batchSize: 50, seed: 0, checkpointPath: nil).train(unbroken, data: tinyData)
        }
        for (a, b) in zip(unbroken.checkpointTensors, continued.checkpointTensors) {
            #expect(a.value.scalars == b.value.scalars, "\(a.name)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache).count == 1)
    }

    @Test("a symbolic link named as the checkpoint is written through, and stays a link")
    func symbolicLink() throws {
        let folder = try scratchFolder()
        let link = folder + "/link.safetensors", target = folder + "/target.safetensors"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        _ = try ModelRun(quietRequest(checkpoint: link)).train(tinyAutoencoder(), data: tinyData)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        #expect(try Checkpoint.read(target).state.completedEpochs == 1)
    }

    @Test("a checkpoint of a ModelKind rebuilds its model's settings and data from the file alone")
    func savedSettings() throws {
        let folder = try scratchFolder()
        var request = quietRequest(checkpoint: folder + "/vae.safetensors")
        request.dataset = .synthetic
        request.syntheticCount = 120
        var settings = ModelKind.vae.defaultSettings
        (settings.latentDimension, settings.hiddenSizes, settings.beta) = (2, [8], 0.5)
        _ = try ModelRun(request).train(.vae, settings: settings)
        let saved = try #require(SavedSettings(checkpoint: folder + "/vae.safetensors", kind: .vae))
        #expect(saved.settings == settings && saved.dataset == .synthetic)
        #expect(SavedSettings(checkpoint: folder + "/vae.safetensors", kind: .ae) == nil)
    }

    @Test("a diffusion model's cache key holds its slice where it is not the 32 earlier caches were trained with")
    func sliceInCacheKey() throws {
        let cache = try scratchFolder()
        func path(slice: Int) throws -> String {
            let model = DiffusionModel(
                denoiser: MLPDenoiser(dimension: 784, hiddenSizes: [8], seed: 0), schedule: NoiseSchedule(.linear),
                dimension: 784, sliceSize: slice)
            return try ModelRun(quietRequest(cache: cache)).checkpointPath(for: Learner(model), data: tinyData)
        }
        let (default32, sixteen, eight) = (try path(slice: 32), try path(slice: 16), try path(slice: 8))
        #expect(Set([default32, sixteen, eight]).count == 3, "\(default32) \(sixteen) \(eight)")
        #expect(try path(slice: 16) == sixteen)
    }
}
