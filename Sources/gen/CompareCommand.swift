import ArgumentParser
import Datasets
import Foundation
import Gallery
import Models
import NN

/// AE vs VAE vs GAN on one latent size and one data set: the lecture's point made visible.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Train (or reuse) AE, VAE and GAN with one latent size and draw them side by side in --out/compare/.")
    @OptionGroup var options: CommonOptions
    @Option(help: "Models to compare, comma-separated.") var models = "ae,vae,gan"

    static let defaultLatentDimension = 20

    var kinds: [String] { models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } }

    func validate() throws {
        guard !kinds.isEmpty, kinds.allSatisfy(["ae", "vae", "gan"].contains), Set(kinds).count == kinds.count else {
            throw ValidationError("--models takes ae, vae and gan separated by commas (each at most once), got '\(models)'")
        }
    }

    func run() throws {
        var shared = options
        if shared.latentDimension == nil { shared.latentDimension = CompareCommand.defaultLatentDimension }
        var results: [TrainedModel] = []
        for kind in kinds {
            if !options.quiet { print("— \(displayName(kind))") }
            results.append(try ModelRun(options: shared).train { data in makeModel(kind, options: shared, extras: ModelExtras(), data: data) })
        }
        try ComparisonSheets(options: shared, results: results).write()
    }
}

/// The comparison's figures and page.
struct ComparisonSheets {
    let options: CommonOptions
    let results: [TrainedModel]

    var folder: String { options.out + "/compare" }
    var details: String {
        let first = results[0]
        return "\(results.map { displayName($0.model.kind) }.joined(separator: " vs ")) · \(first.datasetName) · latent \(first.model.latentDimension) · epoch \(first.metricsLines.count) · seed \(options.seed)"
    }

    func write() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let side = 8
        var samplePanels: [(name: String, canvas: Canvas)] = [], pathPanels: [(name: String, canvas: Canvas)] = []
        for r in results {
            var random = SeededGenerator(seed: options.seed ^ 0xC0_4B_A2E)
            let grid = ImageGrid(layout: r.layout, rows: side, columns: side)
            let panel = Canvas(width: grid.pixelSize.width, height: grid.pixelSize.height)
            grid.draw(r.model.sample(count: side * side, temperature: options.temperature, generator: &random), on: panel, x: 0, y: 0)
            samplePanels.append((displayName(r.model.kind), panel))
            let path = LatentPath(rawValue: options.path)!
            let i = r.model.interpolation(rows: 6, steps: 8, path: path, test: r.data.test, generator: &random)
            let strip = ImageGrid(layout: r.layout, rows: i.rows, columns: i.steps)
            let pathPanel = Canvas(width: strip.pixelSize.width, height: strip.pixelSize.height)
            strip.draw(i.images, on: pathPanel, x: 0, y: 0)
            pathPanels.append((displayName(r.model.kind), pathPanel))
        }
        try Figures.sideBySide(samplePanels, title: FigureTitle("Samples: AE vs VAE vs GAN", details: details)).writePNG(to: folder + "/samples.png")
        try Figures.sideBySide(pathPanels, title: FigureTitle("Latent interpolations", details: details)).writePNG(to: folder + "/interpolation.png")
        let header = ["model", "test reconstruction", "test KL", "D(real) / D(fake)", "training seconds", "epochs"]
        let rows = results.map(tableRow)
        try Figures.table(header: header, rows: rows, title: FigureTitle("The three models in figures", details: details))
            .writePNG(to: folder + "/table.png")
        if !options.quiet { print("Wrote \(folder)/samples.png, interpolation.png, table.png") }
        let command = commandLineText
        try GalleryPage.update(root: options.out, section: "compare", entries: [
            FigureEntry(file: "samples.png", caption: "Samples side by side: the plain AE's random codes decode to poor images, the VAE's to blurry but plausible ones, the GAN's to sharp ones.", command: command),
            FigureEntry(file: "interpolation.png", caption: "Latent interpolations: AE and VAE between encoded test images, the GAN between random codes.", command: command),
            FigureEntry(file: "table.png", caption: "Test reconstruction (BCE summed over pixels, averaged over images), the VAE's KL, the GAN discriminator's mean outputs, and training time.", command: command),
        ], metrics: zip(results, rows).map { (displayName($0.0.model.kind), $0.1.dropFirst().joined(separator: " · ")) },
           note: "One latent size (\(results[0].model.latentDimension)), one data set, one seed. Columns: " + header.dropFirst().joined(separator: ", ") + ".")
    }

    func tableRow(_ r: TrainedModel) -> [String] {
        let records = r.metricRecords
        func last(_ key: String) -> Double? { (records.last?[key] as? NSNumber)?.doubleValue }
        let seconds = records.compactMap { ($0["seconds"] as? NSNumber)?.doubleValue }.reduce(0, +)
        let reconstruction = r.model.kind == "vae" ? last("test_reconstruction") : r.model.kind == "ae" ? last("test_loss") : nil
        let discriminator = last("test_d_real").flatMap { real in last("test_d_fake").map { String(format: "%.2f / %.2f", real, $0) } }
        return [displayName(r.model.kind), reconstruction.map { String(format: "%.1f", $0) } ?? "—",
                last("test_kl").map { String(format: "%.1f", $0) } ?? "—", discriminator ?? "—",
                String(format: "%.1f", seconds), String(records.count)]
    }
}
