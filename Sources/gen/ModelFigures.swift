import Datasets
import Foundation
import Gallery
import Models
import NN

/// The figures a `gen <model>` run asked for, drawn from a trained model into `--out/<model>/`,
/// with the model's gallery page and the index updated.
struct ModelFigures {
    let options: CommonOptions
    let trained: TrainedModel
    var film: FilmRecorder?

    var model: any GenerativeModel { trained.model }
    var folder: String { options.out + "/" + model.kind }
    var epochs: Int { trained.metricsLines.count }

    /// "VAE · fashion-mnist · epoch 10 · seed 0"
    func title(_ what: String) -> FigureTitle {
        FigureTitle("\(displayName(model.kind)): \(what)",
                    details: "\(displayName(model.kind)) · \(trained.datasetName) · epoch \(epochs) · seed \(options.seed)")
    }

    func write() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try writeAtomically(Data((trained.metricsLines.joined(separator: "\n") + "\n").utf8), to: folder + "/metrics.jsonl")
        var entries: [FigureEntry] = []
        func save(_ canvas: Canvas, _ file: String, _ caption: String) throws {
            try canvas.writePNG(to: folder + "/" + file)
            entries.append(FigureEntry(file: file, caption: caption, command: commandLineText))
            if !options.quiet { print("Wrote \(folder)/\(file)") }
        }
        var random = SeededGenerator(seed: options.seed ^ 0x5A17_F16E)
        let layout = trained.layout, test = trained.data.test

        if options.samples {
            let n = options.grid
            let images = model.sample(count: n * n, temperature: options.temperature, generator: &random)
            try save(Figures.sampleGrid(images, layout: layout, side: n, title: title("samples\(options.temperature == 1 ? "" : " at temperature \(options.temperature)")")),
                     "samples.png", sampleCaption)
        }
        if options.interpolate {
            let path = LatentPath(rawValue: options.path)!
            let i = model.interpolation(rows: 8, steps: options.steps, path: path, test: test, generator: &random)
            try save(Figures.interpolation(i.images, endpoints: i.endpoints, rows: i.rows, steps: i.steps, layout: layout,
                                           title: title("\(path.rawValue) interpolation")),
                     "interpolation.png",
                     (i.endpoints == nil ? "Decoded \(path.rawValue) paths between random codes" : "Decoded \(path.rawValue) paths between the codes of two real test images (shown at both ends)")
                        + "; the framed tiles decode the endpoints themselves.")
        }
        if options.reconstruct {
            let chosen = (0..<40).map { _ in random.nextInt(below: test.count) }
            let originals = test.images(chosen, range: .unit)
            if let reconstructions = model.reconstruct(originals) {
                let errors = reconstructionErrors(originals: originals, reconstructions: reconstructions)
                try save(Figures.reconstruction(originals: originals, reconstructions: reconstructions, errors: errors, columns: 10,
                                                layout: layout, title: title("reconstructions")),
                         "reconstruction.png", "Test images over their reconstructions; under each, its BCE summed over pixels.")
            } else {
                printError("note: a GAN has no encoder, so --reconstruct draws nothing for it.")
            }
        }
        if options.latentMap {
            if let map = model.latentMap(test) {
                let axes = map.projected ? ("principal component 1", "principal component 2") : ("z₁", "z₂")
                try save(Figures.latentMap(map.points, labels: map.labels, classNames: test.classNames, axisNames: axes,
                                           title: title(map.projected ? "test codes, first two principal components" : "test codes")),
                         "latent-map.png",
                         "\(map.labels.count) test images' codes\(map.projected ? ", projected on their first two principal components" : ""), coloured by class.")
            } else {
                printError("note: a GAN has no encoder, so --latent-map draws nothing for it.")
            }
        }
        if options.manifold {
            if model.latentDimension == 2 {
                let side = 20
                let note = model.kind == "ae" ? "z₁, z₂ across the training codes' range" : "z₁, z₂ at the normal quantiles 2.5% … 97.5% (Φ⁻¹)"
                try save(Figures.manifold(model.manifold(side: side), side: side, layout: layout, axisNote: note, title: title("latent manifold")),
                         "manifold.png", "Decodings of a regular grid over the 2-D latent plane: \(note).")
            } else {
                printError("note: --manifold needs a 2-D latent (--latent-dimension 2); this model has \(model.latentDimension).")
            }
        }
        try save(curves(), "curves.png", "Losses per epoch, from metrics.jsonl (\(model.lossDescription)).")
        if options.film {
            if let film, film.film.frameCount > 0 {
                try film.film.write(to: folder + "/film.gif")
                entries.append(FigureEntry(file: "film.gif", caption: "The same codes decoded after every epoch.", command: commandLineText))
                if !options.quiet { print("Wrote \(folder)/film.gif") }
            } else {
                printError("note: the film is recorded while training; this run reused a checkpoint (add --retrain).")
            }
        }
        try GalleryPage.update(root: options.out, section: model.kind, entries: entries, metrics: metricsSummary(),
                               note: "\(displayName(model.kind)) on \(trained.datasetName), \(epochs) epochs, seed \(options.seed). Losses: \(model.lossDescription).")
    }

    var sampleCaption: String {
        switch model.kind {
        case "ae": return "Decoded random codes, each unit uniform between its minimum and maximum in training: a plain AE's codes leave gaps that decode to poor images."
        case "vae": return "Decoded z ~ N(0, I): blurry but plausible, because the KL term makes the prior's whole region decode to something."
        default: return "G(z) for z ~ N(0, I): sharp, as the discriminator punishes blur."
        }
    }

    /// Training curves of every *_loss figure in metrics.jsonl.
    func curves() -> Canvas {
        let records = trained.metricRecords
        let keys = (records.first?.keys.filter { $0.hasSuffix("_loss") }.sorted()) ?? []
        let series = keys.map { key in
            (name: key, points: records.map { r in (x: (r["epoch"] as? NSNumber)?.doubleValue ?? .nan, y: (r[key] as? NSNumber)?.doubleValue ?? .nan) })
        }
        return Figures.curves(series, xLabel: "epoch", yLabel: "loss", title: title("training curves"))
    }

    /// The last epoch's figures, for the page.
    func metricsSummary() -> [(String, String)] {
        guard let record = trained.metricRecords.last else { return [] }
        return record.keys.sorted().filter { $0 != "model" && $0 != "loss_reduction" }.map { key in
            let value = record[key]
            if let n = value as? NSNumber { return (key, String(format: "%.4g", n.doubleValue)) }
            return (key, "\(value ?? "")")
        }
    }
}

/// Decodes one fixed set of codes after every epoch into the film's frames.
final class FilmRecorder {
    let film = Film()
    let side: Int, seed: UInt64, temperature: Float
    private var draws: Tensor?

    init(side: Int, seed: UInt64, temperature: Float) {
        (self.side, self.seed, self.temperature) = (side, seed, temperature)
    }

    func record(_ model: any GenerativeModel, epoch: Int, data: Dataset) {
        if draws == nil {
            var random = SeededGenerator(seed: seed ^ 0xF11_F11)
            draws = model.priorDraws(count: side * side, generator: &random)
        }
        let images = model.decode(model.codes(fromPriorDraws: draws!, temperature: temperature))
        film.append(Figures.filmFrame(images, layout: imageLayout(of: data), side: side,
                                      caption: "\(displayName(model.kind)) · \(data.name) · epoch \(epoch) · seed \(seed)"))
    }
}

func displayName(_ kind: String) -> String {
    ["ae": "Autoencoder", "vae": "VAE", "gan": "GAN"][kind] ?? kind
}
