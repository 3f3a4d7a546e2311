import Datasets
import Foundation
import Gallery
import Models
import NN

/// Models side by side on one latent size and one data set, in `<out>/compare/`: the
/// lecture's point made visible (`gen compare`).
public struct ComparisonSheets {
    /// The models and their runs, in the order they are shown.
    public let runs: [(model: any GenerativeModel, result: TrainingResult)]
    public let request: RunRequest
    public let figures: FigureRequest
    /// The sub-folder of `--out` and the page's section: `compare`, or `compare-conv` for the conv models.
    public let section: String
    /// The judge that scores each model's samples in the table (FD, precision, recall, classes), or nil.
    public let judge: Judge?
    /// Samples per model the judge scores.
    public let sampleCount: Int

    public init(
        runs: [(model: any GenerativeModel, result: TrainingResult)], request: RunRequest, figures: FigureRequest,
        section: String = "compare",
        judge: Judge? = nil, sampleCount: Int = 10_000
    ) {
        precondition(!runs.isEmpty, "a comparison needs at least one model")
        self.runs = runs
        self.request = request
        self.figures = figures
        self.section = section
        self.judge = judge
        self.sampleCount = sampleCount
    }

    var folder: String { request.out + "/" + section }
    var names: String { runs.map { $0.model.displayName }.joined(separator: " vs ") }
    var details: String {
        let first = runs[0]
        return
            "\(names) · \(first.result.datasetName) · latent \(first.model.latentDimension) · epoch \(first.result.epochs) · seed \(request.seed)"
    }

    /// Writes samples.png, interpolation.png and table.png, and the comparison's page, on
    /// `request.threads` threads.
    public func write() throws {
        try BLAS.withThreadCount(request.threads) { try writeOnThisThreadCount() }
    }

    private func writeOnThisThreadCount() throws {
        try claimFolder(folder)
        let side = 8
        var samplePanels: [(name: String, canvas: Canvas)] = [], pathPanels: [(name: String, canvas: Canvas)] = []
        for (model, result) in runs {
            var random = SeededGenerator(seed: request.seed ^ 0xC0_4B_A2E)
            samplePanels.append(
                (
                    model.displayName,
                    ImageGrid(layout: result.layout, rows: side, columns: side)
                        .canvas(model.sample(count: side * side, temperature: figures.temperature, generator: &random))
                ))
            let i = model.interpolation(
                rows: 6, steps: 8, path: figures.path, test: result.data.test, generator: &random)
            pathPanels.append(
                (model.displayName, ImageGrid(layout: result.layout, rows: i.rows, columns: i.steps).canvas(i.images)))
        }
        let short = runs.map { $0.model.name.uppercased() }.joined(separator: " vs ")
        try InterruptFlag.stopIfSet(while: "drawing the comparison")
        try Figures.sideBySide(samplePanels, title: FigureTitle("Samples: \(short)", details: details)).writePNG(
            to: folder + "/samples.png")
        try Figures.sideBySide(pathPanels, title: FigureTitle("Latent interpolations", details: details)).writePNG(
            to: folder + "/interpolation.png")
        var header = ["model", "test reconstruction", "test KL", "D(real) / D(fake)", "training seconds", "epochs"]
        var rows = runs.map { tableRow($0.model, $0.result) }
        if let judge {
            header += ["FD", "precision", "recall", "classes"]
            for (index, run) in runs.enumerated() {
                try InterruptFlag.stopIfSet(while: "judging \(run.model.displayName)'s samples")
                var random = SeededGenerator(seed: request.seed ^ 0xE7A1)
                let samples = run.model.sample(count: sampleCount, generator: &random)
                let e = judge.evaluate(
                    samples, training: run.result.data.train, test: run.result.data.test, memorisationCount: 0)
                rows[index] += [
                    String(format: "%.1f", e.frechetDistance), String(format: "%.2f", e.precision),
                    String(format: "%.2f", e.recall),
                    "\(e.coverage.classesHeld)",
                ]
            }
        }
        try Figures.table(
            header: header, rows: rows,
            title: FigureTitle("The \(countWord(runs.count)) models in figures", details: details)
        )
        .writePNG(to: folder + "/table.png")
        if !request.quiet { print("Wrote \(folder)/samples.png, interpolation.png, table.png") }
        let command = request.command
        try GalleryPage.update(
            root: request.out, section: section,
            entries: [
                FigureEntry(
                    file: "samples.png",
                    caption:
                        "Samples side by side: the plain AE's random codes decode to poor images, the VAE's to blurry but plausible ones, the \(runs.first { $0.model is GAN }?.model.displayName ?? "GAN")'s to sharp ones.",
                    command: command),
                FigureEntry(
                    file: "interpolation.png",
                    caption:
                        "Latent interpolations: AE and VAE between encoded test images, the GAN between random codes.",
                    command: command),
                FigureEntry(
                    file: "table.png",
                    caption:
                        "Test reconstruction (BCE summed over pixels, averaged over images), the VAE's KL, the GAN discriminator's mean outputs, and training time"
                        + (judge == nil
                            ? "."
                            : "; then the judge's scores of \(sampleCount) samples each (gen eval): Fréchet distance and precision/recall in its features, and the classes holding 2% of the samples."),
                    command: command),
            ], metrics: zip(runs, rows).map { ($0.0.model.displayName, $0.1.dropFirst().joined(separator: " · ")) },
            note: "One latent size (\(runs[0].model.latentDimension)), one data set, one seed. Columns: "
                + header.dropFirst().joined(separator: ", ") + "."
                + (judge == nil
                    ? ""
                    : " The judge's scores here are one draw of \(sampleCount) samples. The lecture page `comparison` judges the models `gen ae`, `gen vae` and `gen gan` train by default (codes of \(ModelKind.ae.defaultSettings.latentDimension), \(ModelKind.vae.defaultSettings.latentDimension) and \(ModelKind.gan.defaultSettings.latentDimension)), over 3 draws of 5,000 samples: a model here is one of those only where its code size and every other setting are the default, and even then its scores there come from other draws.")
        )
    }

    /// A model's row: figures it did not report show as a dash.
    func tableRow(_ model: any GenerativeModel, _ result: TrainingResult) -> [String] {
        func figure(_ metric: Metric) -> String { result.last(metric).map { String(format: "%.1f", $0) } ?? "—" }
        let seconds = result.trainingSeconds
        let discriminator = result.last(.testDReal).flatMap { real in
            result.last(.testDFake).map { String(format: "%.2f / %.2f", real, $0) }
        }
        return [
            model.displayName, figure(.testReconstruction), figure(.testKL), discriminator ?? "—",
            String(format: "%.1f", seconds), String(result.epochs),
        ]
    }
}

/// "two", "three", ... for small counts, digits beyond.
func countWord(_ n: Int) -> String {
    let words = ["no", "one", "two", "three", "four", "five", "six"]
    return n < words.count ? words[n] : String(n)
}
