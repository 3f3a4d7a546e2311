import Datasets
import Foundation
import Gallery
import Models
import NN

/// The figures a run asked for, drawn from a trained model into `<out>/<model name>/`, with
/// the model's gallery page and the index updated.
public struct ModelFigures {
    public let model: any GenerativeModel
    public let result: TrainingResult
    public let request: RunRequest
    public let figures: FigureRequest
    /// The film recorded while training, if any.
    public var film: FilmRecorder?
    /// Asked before each figure is written: true stops the drawing (Ctrl-C after training).
    public var shouldStop: () -> Bool = InterruptFlag.isSet

    public init(
        model: any GenerativeModel, result: TrainingResult, request: RunRequest, figures: FigureRequest,
        film: FilmRecorder? = nil
    ) {
        self.model = model
        self.result = result
        self.request = request
        self.figures = figures
        self.film = film
    }

    /// `<out>/<model name>`.
    public var folder: String { request.out + "/" + model.name }

    /// The files `figures` make in a model's folder (besides the gallery's own pages).
    public static func files(_ figures: FigureRequest) -> [String] {
        ["metrics.jsonl", "curves.png", "index.html", "figures.json"]
            + [
                (figures.samples, "samples.png"), (figures.interpolate, "interpolation.png"),
                (figures.reconstruct, "reconstruction.png"), (figures.denoise, "denoising.png"),
                (figures.latentMap, "latent-map.png"), (figures.manifold, "manifold.png"), (figures.film, "film.gif"),
            ].filter(\.0).map(\.1)
    }

    /// Refuses, before any training, a file `figures` will write in `folder` that is a folder.
    public static func checkTargets(in folder: String, _ figures: FigureRequest) throws {
        for file in files(figures) {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + file, isDirectory: &isDirectory),
                isDirectory.boolValue
            {
                throw RunProblem.outputIsFolder(path: folder + "/" + file)
            }
        }
    }

    /// "VAE: samples" over "VAE · fashion-mnist · epoch 10 · seed 0".
    func title(_ what: String) -> FigureTitle {
        FigureTitle(
            "\(model.displayName): \(what)",
            details: "\(model.displayName) · \(result.datasetName) · epoch \(result.epochs) · seed \(request.seed)")
    }

    /// Draws every asked-for figure, the training curves and metrics.jsonl, and updates the pages,
    /// on `request.threads` threads (a scope of this call's own, as `ModelRun.train`'s).
    public func write() throws {
        try BLAS.withThreadCount(request.threads) { try writeOnThisThreadCount() }
    }

    private func writeOnThisThreadCount() throws {
        try claimFolder(folder)
        // The folder's files are written as one unit: all of them, or (a full disk, Ctrl-C) none.
        let batch = FileBatch()
        try batch.write(
            Data((result.metricsLines.joined(separator: "\n") + "\n").utf8), to: folder + "/metrics.jsonl")
        var entries: [FigureEntry] = [], written: [String] = []
        func save(_ canvas: Canvas, _ file: String, _ caption: String) throws {
            if shouldStop() {
                throw RunProblem.interrupted(phase: "drawing \(model.displayName)'s figures (before \(file))")
            }
            try batch.write(canvas.png(), to: folder + "/" + file)
            entries.append(FigureEntry(file: file, caption: caption, command: request.command))
            written.append(file)
        }
        func noEncoder(_ figure: String) {
            printError("note: a \(model.displayName) has no encoder, so the \(figure) is not drawn for it.")
        }
        var random = SeededGenerator(seed: request.seed ^ 0x5A17_F16E)
        let layout = result.layout, test = result.data.test

        if figures.samples {
            let n = figures.grid, t = figures.temperature
            let images = model.sample(count: n * n, temperature: t, generator: &random)
            try save(
                Figures.sampleGrid(
                    images, layout: layout, side: n, title: title("samples\(t == 1 ? "" : " at temperature \(t)")")),
                "samples.png", model.samplingDescription)
        }
        if figures.interpolate {
            let path = figures.path
            let i = model.interpolation(rows: 8, steps: figures.steps, path: path, test: test, generator: &random)
            try save(
                Figures.interpolation(
                    i.images, endpoints: i.endpoints, rows: i.rows, steps: i.steps, layout: layout,
                    title: title("\(path.rawValue) interpolation")),
                "interpolation.png",
                (i.endpoints == nil
                    ? "Decoded \(path.rawValue) paths between random codes"
                    : "Decoded \(path.rawValue) paths between the codes of two real test images (shown at both ends)")
                    + "; the framed tiles decode the endpoints themselves.")
        }
        if figures.reconstruct {
            let chosen = (0..<40).map { _ in random.nextInt(below: test.count) }
            let originals = test.images(chosen, range: .unit)
            if let reconstructions = model.reconstruct(originals) {
                let loss = model.reconstructionLoss
                let errors = reconstructionErrors(originals: originals, reconstructions: reconstructions, loss: loss)
                try save(
                    Figures.reconstruction(
                        originals: originals, reconstructions: reconstructions, errors: errors, columns: 10,
                        layout: layout, errorNote: loss.errorNote, title: title("reconstructions")),
                    "reconstruction.png", "Test images over their reconstructions; under each, its \(loss.errorNote).")
            } else {
                noEncoder("reconstruction figure")
            }
        }
        if figures.denoise {
            let corruption = (model as? Autoencoder)?.objective.corruption ?? AutoencoderMeasures.denoisingCorruption
            let chosen = (0..<30).map { _ in random.nextInt(below: test.count) }
            let clean = test.images(chosen, range: .unit)
            let noisy = corruption.applied(to: clean, generator: &random)
            if let outputs = model.reconstruct(noisy) {
                let errors = reconstructionErrors(originals: clean, reconstructions: outputs, loss: .mse)
                try save(
                    Figures.imageRows(
                        [("noisy input", noisy.map { min(max($0, 0), 1) }), ("output", outputs), ("clean", clean)],
                        errors: errors,
                        errorNote: "squared error of the output against the clean image, summed over pixels",
                        columns: 10, layout: layout, title: title("denoising (\(corruption.argument))")),
                    "denoising.png",
                    "Test images corrupted with \(corruption) (shown clipped to [0, 1]), the model's output, and the clean image; under each, the output's squared error against the clean image."
                )
            } else {
                noEncoder("denoising figure")
            }
        }
        if figures.latentMap {
            if let map = model.latentMap(test) {
                let axes = map.projected ? ("principal component 1", "principal component 2") : ("z₁", "z₂")
                try save(
                    Figures.latentMap(
                        map.points, labels: map.labels, classNames: test.classNames, axisNames: axes,
                        title: title(map.projected ? "test codes, first two principal components" : "test codes")),
                    "latent-map.png",
                    "\(map.labels.count) test images' codes\(map.projected ? ", projected on their first two principal components" : ""), coloured by class."
                )
            } else {
                noEncoder("latent map")
            }
        }
        if figures.manifold {
            if model.latentDimension == 2 {
                let side = 20
                let note =
                    model.prior == .uniform
                    ? "z₁, z₂ across the training codes' range" : "z₁, z₂ at the normal quantiles 2.5% … 97.5% (Φ⁻¹)"
                try save(
                    Figures.manifold(
                        model.manifold(side: side), side: side, layout: layout, axisNote: note,
                        title: title("latent manifold")),
                    "manifold.png", "Decodings of a regular grid over the 2-D latent plane: \(note).")
            } else {
                printError(
                    "note: the manifold figure needs a 2-D latent; this model has \(model.latentDimension) units.")
            }
        }
        try save(curves(), "curves.png", "Losses per epoch, from metrics.jsonl (\(model.lossDescription)).")
        if figures.film {
            // Recorded now, or kept from when the cached model was trained; a continued run
            // recorded only its last epochs, so the whole run's kept film comes first then.
            let recorded = film.flatMap { $0.film.frameCount > 0 ? $0.film.gif() : nil }
            let whole = film?.film.frameCount == result.epochs ? recorded : nil
            if let bytes = whole ?? ModelRun(request).keptFilm(result) ?? recorded {
                try batch.write(bytes, to: folder + "/film.gif")
                entries.append(
                    FigureEntry(
                        file: "film.gif", caption: "The same codes decoded after every epoch.", command: request.command
                    ))
                written.append("film.gif")
            } else {
                printError(
                    "note: the film is recorded while training; this run reused a checkpoint trained without one (retrain to record it)."
                )
            }
        }
        if shouldStop() { throw RunProblem.interrupted(phase: "writing \(model.displayName)'s figures") }
        try batch.commit()
        for file in written { say("Wrote \(folder)/\(file)") }
        try GalleryPage.update(
            root: request.out, section: model.name, entries: entries, metrics: metricsSummary(),
            note: pageNote)
    }

    /// The line under the model page's heading.
    var pageNote: String {
        "\(model.displayName) on \(result.datasetName), \(epochsText(result.epochs)), seed \(request.seed). Losses: \(model.lossDescription)."
    }

    /// Training curves of every *_loss figure in metrics.jsonl.
    func curves() -> Canvas {
        let keys =
            (result.records.first?.metrics.map(\.0).filter { $0.name.hasSuffix("_loss") }.sorted { $0.name < $1.name })
            ?? []
        let series = keys.map { key in (name: key.name, points: result.series(key)) }
        return Figures.curves(series, xLabel: "epoch", yLabel: "loss", title: title("training curves"))
    }

    /// The last epoch's figures, for the page.
    func metricsSummary() -> [(String, String)] {
        guard let record = result.records.last else { return [] }
        let figures =
            record.metrics.map { ($0.0.name, String(format: "%.4g", $0.1)) } + [("dataset", result.datasetName)]
        return figures.sorted { $0.0 < $1.0 }
    }

    func say(_ line: String) { if !request.quiet { print(line) } }
}

/// Decodes one fixed set of codes after every epoch into the film's frames.
public final class FilmRecorder {
    /// The frames so far.
    public let film = Film()
    let side: Int, seed: UInt64, temperature: Float
    private var draws: Tensor?

    /// A film of side x side samples at `temperature`, from codes drawn once from `seed`.
    public init(side: Int, seed: UInt64, temperature: Float) {
        (self.side, self.seed, self.temperature) = (side, seed, temperature)
    }

    /// Appends the frame of `model` after `epoch` of training on `data`.
    public func record(_ model: any GenerativeModel, epoch: Int, data: Dataset) {
        if draws == nil {
            var random = SeededGenerator(seed: seed ^ 0xF11_F11)
            draws = model.priorDraws(count: side * side, generator: &random)
        }
        guard let draws else { return }
        let images = model.decode(model.codes(fromPriorDraws: draws, temperature: temperature))
        film.append(
            Figures.filmFrame(
                images, layout: ImageLayout(of: data), side: side,
                caption: "\(model.displayName) · \(data.name) · epoch \(epoch) · seed \(seed)"))
    }
}

/// Creates `path` and its parents, or says in one line why it cannot (naming the real cause:
/// a file in the way, a read-only file system, permissions).
public func createFolder(_ path: String) throws {
    try checkPathLength(path, "a folder")
    var info = stat()
    if stat(path, &info) == 0 {
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw RunError("\(path): is a file, not a folder (figures go into a folder of this name)")
        }
        guard access(path, W_OK) == 0 else {
            throw RunError("\(path): cannot write into this folder (\(String(cString: strerror(errno))))")
        }
        return
    }
    // Made a level at a time with mkdir, so that the reason is the system's own (ENOSPC, EROFS, EACCES, ENOENT).
    let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
    if parent != path && !FileManager.default.fileExists(atPath: parent) { try createFolder(parent) }
    guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
        throw RunError("\(path): cannot create this folder (\(String(cString: strerror(errno))))")
    }
}
