import Datasets
import Foundation
import Models
import NN

/// Runs of the models `ModelKind` names: what `gen ae|vae|gan` and `gen compare` do, for
/// scripts too.
extension ModelRun {
    /// Loads the data, builds the `kind` model with `settings` sized for it, and trains it (or
    /// reuses its checkpoint), recording `film` after each epoch when given. The checkpoint
    /// carries the kind and settings, so that the file alone rebuilds the model
    /// (`SavedSettings`).
    public func train(_ kind: ModelKind, settings: ModelSettings, film: FilmRecorder? = nil) throws -> (
        model: any GenerativeModel, result: TrainingResult
    ) {
        try preflight()
        return try train(kind, settings: settings, data: try loadData(), film: film)
    }

    /// `train(_:settings:film:)` on `data` instead of the request's (a subset of it, say: give it
    /// a name of its own, which keys the cache). `optimizer` replaces the kind's (a schedule, say:
    /// its description keys the cache).
    public func train(
        _ kind: ModelKind, settings: ModelSettings, data: DatasetSplits, film: FilmRecorder? = nil,
        optimizer: (any Optimizer)? = nil, earlyStopping: EarlyStopping? = nil,
        afterEpoch: ((any GenerativeModel, Int) -> Void)? = nil
    ) throws
        -> (model: any GenerativeModel, result: TrainingResult)
    {
        if let problem = kind.problem(settings, image: data.train.imageShape) { throw RunProblem.model(problem) }
        let pretrainingEpochs = kind == .ae ? settings.pretrainingEpochs : 0
        if pretrainingEpochs > 0, let epochs = request.epochs ?? (request.checkpoint == nil ? kind.defaultEpochs : nil),
            epochs <= pretrainingEpochs
        {
            throw RunProblem.epochsWithinPretraining(
                epochs: epochs, pretrainingEpochs: pretrainingEpochs, perLayer: settings.pretrainEpochs,
                layers: settings.hiddenSizes.count + 1)
        }
        // now, not after training: a file in the way is said at once
        if request.drawsInModelFolders { try claimFolder(request.out + "/" + kind.name(settings.architecture)) }
        let batchSize = request.batchSize(for: kind, settings.architecture)
        let batches = (data.train.count + batchSize - 1) / batchSize
        if kind == .gan && settings.discriminatorSteps > batches {
            throw RunProblem.generatorNeverUpdated(
                discriminatorSteps: settings.discriminatorSteps, batches: batches, batchSize: batchSize)
        }
        try checkMemory(kind, settings, image: data.train.imageShape)
        let model = kind.makeModel(settings, image: data.train.imageShape, seed: request.seed)
        let encoded = (try? JSONEncoder.sorted.encode(settings)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        // The run with the kind's batch size in its request: what trains and keys the cache.
        var resolved = request
        resolved.givenBatchSize = batchSize
        let result = try ModelRun(resolved).train(
            model, optimizer: optimizer ?? kind.optimizer(settings), averageDecay: settings.averageDecay, data: data,
            metadata: ["kind": kind.rawValue, "settings": encoded],
            defaultEpochs: kind.defaultEpochs, earlyStopping: earlyStopping
        ) { record in
            film?.record(model, epoch: record.epoch, data: data.train)
            afterEpoch?(model, record.epoch)
        }
        // A film is recorded only while training: a whole run's film is kept beside its cached
        // checkpoint, so that runs reusing the model show it too (not beside a file the user named).
        if let film, request.checkpoint == nil, film.film.frameCount == result.epochs, film.film.frameCount > 0 {
            try film.film.write(to: Self.keptFilmPath(result))
        }
        return (model, result)
    }

    /// Refuses, before anything is built, a model whose weights, optimizer state and batch
    /// activations would not fit in the memory this machine has free (the data is loaded by
    /// then, so it is no longer counted).
    public func checkMemory(_ kind: ModelKind, _ settings: ModelSettings, image: Shape) throws {
        let estimate = kind.memoryEstimate(
            settings, image: image, images: 0, batchSize: request.batchSize(for: kind, settings.architecture))
        if let available = availableMemory(), estimate > available {
            throw RunProblem.doesNotFitInMemory(estimate: estimate, available: available)
        }
    }

    /// Where the film of a cached run is kept: beside its checkpoint.
    static func keptFilmPath(_ result: TrainingResult) -> String { result.checkpointPath + ".film.gif" }

    /// The kept film of a cached run, if one was recorded when it was trained.
    public func keptFilm(_ result: TrainingResult) -> Data? {
        request.checkpoint == nil ? FileManager.default.contents(atPath: Self.keptFilmPath(result)) : nil
    }

    /// `gen <kind>`: trains (or reuses) the model, draws the figures asked for and, with
    /// `measure`, writes and prints its `AutoencoderMeasures`.
    public func trainAndDraw(_ kind: ModelKind, settings: ModelSettings, figures: FigureRequest, measure: Bool = false)
        throws
    {
        try ModelFigures.checkTargets(in: request.out + "/" + kind.name(settings.architecture), figures)
        let film =
            figures.film ? FilmRecorder(side: figures.grid, seed: request.seed, temperature: figures.temperature) : nil
        let (model, result) = try train(kind, settings: settings, film: film)
        let drawn = ModelFigures(model: model, result: result, request: request, figures: figures, film: film)
        try drawn.write()
        if measure { try writeMeasures(model, result: result, folder: drawn.folder) }
    }

    /// Measures `model` on the whole test set, prints the measures and writes them to
    /// `<folder>/measures.json`.
    public func writeMeasures(_ model: any GenerativeModel, result: TrainingResult, folder: String) throws {
        guard
            let measures = BLAS.withThreadCount(
                request.threads, { AutoencoderMeasures.measure(model, test: result.data.test, seed: request.seed) })
        else {
            printError("note: a \(model.displayName) has no encoder, so it has nothing to measure.")
            return
        }
        let line = jsonObject(
            [
                ("model", jsonQuoted(model.name)), ("dataset", jsonQuoted(result.datasetName)),
                ("epochs", "\(result.epochs)"),
                ("seed", "\(request.seed)"), ("loss_reduction", jsonQuoted(model.lossDescription)),
            ]
                + measures.entries.map { ($0.0, jsonNumber($0.1)) })
        try writeAtomically(Data((line + "\n").utf8), to: folder + "/measures.json")
        print("\(model.displayName), \(measures.images) test images:")
        for (name, value) in measures.entries.dropFirst() {
            print(
                "  \(name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(String(format: "%.4f", value))   \(AutoencoderMeasures.explanations[name] ?? "")"
            )
        }
        if !request.quiet { print("Wrote \(folder)/measures.json") }
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys: the same value gives the same bytes.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
