import Datasets
import Foundation
import Models
import NN

// The notebook's models and data: the request's data, `gen`'s cached models trained or reused
// (with a film, a per-epoch history, another optimizer or early stopping), and the judge.
extension Notebook {
    /// The request's data, loaded once.
    public func data() throws -> DatasetSplits {
        if let loaded { return loaded }
        let data = try ModelRun(request).loadData()
        loaded = data
        return data
    }

    /// Trains the `kind` model with `settings` for `epochs` (or reuses the cached run: `gen`'s own
    /// cache, so a script and `gen` share models trained alike). With `film`, the same 64 prior
    /// draws decoded after every epoch become `<folder>/<film>`, shown under the current section
    /// with `filmCaption` (the film kept beside the cached checkpoint: recorded when the model was
    /// trained, by this run or an earlier one).
    /// `data` replaces the request's (a subset of it under a name of its own, say).
    /// With `earlyStopping`, `epochs` is a ceiling (`ModelRun.train`). `afterEpoch` sees the
    /// model after each epoch trained in this call (none when the cached run is reused).
    /// `optimizer` replaces the kind's (`ModelRun.train(_:settings:data:…)`).
    public func train(
        _ kind: ModelKind, _ settings: ModelSettings, epochs: Int, data: DatasetSplits? = nil, film: String? = nil,
        filmCaption: String = "", optimizer: (any Optimizer)? = nil, earlyStopping: EarlyStopping? = nil,
        seed: UInt64? = nil, retrain: Bool = false,
        afterEpoch: ((any GenerativeModel, Int) -> Void)? = nil
    ) throws -> (model: any GenerativeModel, result: TrainingResult) {
        var own = request
        own.epochs = epochs
        if let seed { own.seed = seed }
        if retrain { own.retrain = true }
        let recorder = film.map { _ in FilmRecorder(side: 8, seed: request.seed, temperature: 1) }
        let run = ModelRun(own)
        let (model, result) = try run.train(
            kind, settings: settings, data: try data ?? self.data(), film: recorder, optimizer: optimizer,
            earlyStopping: earlyStopping, afterEpoch: afterEpoch)
        if let film {
            if let bytes = run.keptFilm(result) {
                try writeAtomically(bytes, to: folder + "/" + film)
                append(.figure(file: film, caption: filmCaption))
            } else {
                say("(No film: the cached model was trained without recording one; retraining records it.)")
            }
        }
        return (model, result)
    }

    /// Trains as `train(_:_:epochs:…)` and measures the model after every epoch with `measure`:
    /// the values are kept beside the cached checkpoint (`<checkpoint>.<name>.json`, as a film
    /// is), so that a run reusing the model has them too; a cached run without them is trained
    /// again to record them.
    public func train<T: Codable>(
        _ kind: ModelKind, _ settings: ModelSettings, epochs: Int, film: String? = nil, filmCaption: String = "",
        history name: String, _ measure: @escaping (any GenerativeModel) -> T
    ) throws -> (model: any GenerativeModel, result: TrainingResult, history: [T]) {
        var recorded: [T] = []
        var (model, result) = try train(
            kind, settings, epochs: epochs, film: film, filmCaption: filmCaption,
            afterEpoch: { model, _ in recorded.append(measure(model)) })
        let path = result.checkpointPath + ".\(name).json"
        if recorded.count != result.epochs {
            if let bytes = FileManager.default.contents(atPath: path),
                let kept = try? JSONDecoder().decode([T].self, from: bytes), kept.count == result.epochs
            {
                return (model, result, kept)
            }
            // Retrained to the length the cached run had, so a longer run is not cut short.
            recorded = []
            (model, result) = try train(
                kind, settings, epochs: result.epochs, film: film, filmCaption: filmCaption, retrain: true,
                afterEpoch: { model, _ in recorded.append(measure(model)) })
        }
        try writeAtomically(try JSONEncoder.sorted.encode(recorded), to: path)
        return (model, result, recorded)
    }

    /// Trains `model` with `optimizer` for `epochs` on the request's data, or on `data` (under a
    /// name of its own: the name keys the cache), or reuses its cached run.
    public func train(
        _ model: any TrainableModel, optimizer: any Optimizer = Adam(), epochs: Int, data: DatasetSplits? = nil,
        earlyStopping: EarlyStopping? = nil, seed: UInt64? = nil, batchSize: Int? = nil
    ) throws -> TrainingResult {
        var own = request
        own.epochs = epochs
        if let seed { own.seed = seed }
        if let batchSize { own.givenBatchSize = batchSize }
        return try ModelRun(own).train(
            model, optimizer: optimizer, data: try data ?? self.data(), earlyStopping: earlyStopping)
    }

    /// The data's judge (`gen judge`): trained once and cached.
    public func judge() throws -> Judge {
        if let judgeCache { return judgeCache }
        let judge = try ModelRun(request).trainJudge(data: try data()).judge
        judgeCache = judge
        return judge
    }
}
