import ArgumentParser
import Datasets
import Foundation
import Lab
import Models

struct JudgeCommand: ModelCommand {
    static let configuration = CommandConfiguration(
        commandName: "judge",
        abstract:
            "Train (or reuse) the judge of gen eval: a convolutional classifier of the data's labels, 10 epochs; reports its test accuracy."
    )
    @OptionGroup var options: CommonOptions

    func validate() throws {
        try options.refuseUnused(
            options.figureFlags + [
                ("--hidden", options.hidden != nil), ("--latent-dimension", options.latentDimension != nil),
                ("--learning-rate", options.learningRate != nil), ("--arch", options.arch != nil),
                ("--weight-average", options.weightAverage != nil),
                // One judge per dataset (ModelRun.trainJudge): its epochs, seed and batch size are its own.
                ("--epochs", options.epochs != nil), ("--checkpoint", options.checkpoint != nil),
                ("--resume", options.resume),
                ("--seed", options.seed != ModelRun.judgeSeed),
                ("--batch-size", options.batchSize.map { $0 != ModelRun.judgeBatchSize } ?? false),
            ], command: "judge")
    }

    func run() throws {
        let (judge, result) = try ModelRun(options.request).trainJudge(retrain: options.retrain)
        let accuracy = try result.final(.testAccuracy)
        print(
            "Judge (\(judge.classifier.displayName), \(judge.testFeatures.shape[1]) features), \(result.datasetName), \(result.epochs) epochs: test accuracy \(String(format: "%.2f", accuracy * 100))% on \(result.data.test.count) images"
        )
    }
}

struct EvalCommand: ModelCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract:
            "Score a model's samples, or any images, with the judge: Fréchet distance and precision/recall in its features, class coverage, memorisation.",
        discussion: """
            gen eval MODEL [the flags of gen MODEL] trains (or reuses) the model and scores --count samples; gen eval --images PATH \
            scores an IDX images file or a PNG folder made by any program. The Fréchet distance and precision/recall (k = 3) compare \
            the judge's 128 features of the samples with those of the test images; classes counts the judge's classes holding at \
            least 2% of the samples (entropy ln 10 = 2.30 is uniform); nearest_train_distance_* are the median pixel distances to \
            the nearest training image, of the samples and of test images (samples much closer than test images: copying).
            """)
    @Argument(help: "ae, vae, gan, pca or diffusion (or --images).") var model: ModelKind?
    @OptionGroup var options: CommonOptions
    @Option(help: "An IDX images file or a folder of PNGs to score instead of a model's samples.") var images: String?
    @Option(parsing: .unconditional, help: "How many samples to score (with --images: the first this many).")
    var count = 10_000
    @Option(help: "Also write the samples as an IDX images file (a new file).") var exportSamples: String?
    @Flag(help: "One JSON line instead of the table.") var json = false

    func validate() throws {
        try options.refuseUnused(options.figureFlags, command: "eval")
        guard (model == nil) != (images == nil) else {
            throw ValidationError("gen eval takes a model (ae, vae, gan, pca) or --images PATH, not both or neither")
        }
        try bound("--count", count, 10...100_000)
        if let path = exportSamples {
            if FileManager.default.fileExists(atPath: path) {
                throw ValidationError("--export-samples \(path): exists; name a new file")
            }
            do { try checkPathLength(path, "--export-samples") } catch { throw ValidationError("\(error)") }
            try checkWritableFolder(
                URL(fileURLWithPath: path).deletingLastPathComponent().path, flag: "--export-samples")
        }
    }

    func run() throws {
        let (request, settings) =
            try model.map { try resolve($0, options) } ?? (
                options.request, ModelSettings(latentDimension: 1, hiddenSizes: [], learningRate: 0)
            )
        let run = ModelRun(request)
        let data = try run.loadData()
        let samples: Tensor, name: String, title: String
        var extra: [(String, Double)] = []
        var trainedModel: (any GenerativeModel)?, training: TrainingResult?
        if let kind = model {
            let (trained, result) = try run.train(kind, settings: settings)
            (trainedModel, training) = (trained, result)
            var random = SeededGenerator(seed: request.seed ^ 0xE7A1)
            samples = trained.sample(count: count, generator: &random)
            (name, title) = (trained.name, trained.displayName)
            if let v = result.last(.testReconstruction) { extra.append(("test_reconstruction", v)) }
            // The VAE's negative ELBO per test image (one z per image): reconstruction + KL, whatever β it was trained with.
            if kind == .vae, let r = result.last(.testReconstruction), let kl = result.last(.testKL) {
                extra.append(("negative_elbo", r + kl))
            }
        } else if let path = images {
            samples = try run.loadImages(path, like: data.train, count: count)
            (name, title) = ("eval", "Images from \(path)")
        } else {
            // validate() already said so
            throw ValidationError("gen eval takes a model (ae, vae, gan, pca) or --images PATH")
        }
        if let path = exportSamples {
            try exportIDX(samples, height: data.train.height, width: data.train.width, to: path)
        }
        let (judge, _) = try run.trainJudge()
        let started = Date()
        let evaluation = try run.evaluateSamples(
            samples, judge: judge, data: data, section: name, title: title, model: trainedModel, result: training)
        let seconds = Date().timeIntervalSince(started)
        let entries = evaluation.entries + extra
        if json {
            print(
                jsonObject(
                    [("model", jsonQuoted(name))] + entries.map { ($0.0, jsonNumber($0.1)) } + [
                        ("seconds", jsonNumber(seconds))
                    ]))
        } else {
            print(
                "\(title), \(evaluation.count) samples, judged on \(data.test.count) test images (\(String(format: "%.1f", seconds)) s to score):"
            )
            for (key, value) in entries {
                let text =
                    value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(format: "%.4g", value)
                print("  \(key.padding(toLength: 32, withPad: " ", startingAt: 0)) \(text)")
            }
            print(
                "  class histogram                  \(evaluation.coverage.counts.map(String.init).joined(separator: " "))"
            )
        }
    }
}
