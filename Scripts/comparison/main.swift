// AE against VAE against GAN, MLP and convolutional, in pictures and in the judge's numbers.
//   swift run comparison            Fashion-MNIST, into Gallery/comparison/ (reuses gen's models)
//   swift run comparison --quick    synthetic digits, one epoch per model: seconds
import Foundation
import Lab

do {
    let notebook = try Notebook(
        "comparison", title: "AE, VAE and GAN side by side, in pictures and numbers",
        introduction: """
            The lecture's story in one page: random codes through a plain autoencoder decode to diverse \
            garbage, a VAE's prior samples to plausible blur, a GAN's to sharp images that may crowd onto a \
            few kinds of clothes. The judge (a convolutional classifier of the labels, `gen judge`) puts \
            numbers on each part of that story.
            """, order: 7)
    let copyCount = notebook.size(2_000, quick: 200)
    let data = try notebook.data()
    let test = data.test
    let judge = try notebook.judge()
    let count = notebook.scoredCount
    for (label, folder) in [
        ("AE", "ae"), ("VAE", "vae"), ("GAN", "gan"), ("conv AE", "conv-ae"), ("conv VAE", "conv-vae"),
        ("DCGAN", "dcgan"),
    ] {
        notebook.uses(label, "../\(folder)/index.html")
    }
    // Each model's name, architecture, the judge's scores and the model itself.
    typealias Scored = (
        name: String, architecture: Architecture, kind: ModelKind, model: any GenerativeModel, result: TrainingResult,
        scores: SampleScores
    )
    var scored: [Scored] = []
    // Trains (or reuses: `gen ae`, `gen vae` and `gen gan` cache the same models for the same
    // seed) the three models of `architecture`, draws their samples and scores them.
    func compare(_ architecture: Architecture, epochs: [ModelKind: Int]) throws -> [Scored] {
        var panels: [(name: String, images: Tensor)] = [], rows: [Scored] = []
        for kind in [ModelKind.ae, .vae, .gan] {
            let (model, result) = try notebook.train(
                kind, kind.defaultSettings(architecture), epochs: notebook.epochs(epochs[kind]!))
            var draws = SeededGenerator(seed: notebook.request.seed)
            panels.append((model.displayName, model.sample(count: 64, generator: &draws)))
            rows.append((model.displayName, architecture, kind, model, result, try notebook.scores(model, result)))
        }
        try notebook.sampleGrids(
            panels, "samples-\(architecture.rawValue).png", title: "Samples", caption: "64 samples of each model.")
        try notebook.scoreTable(
            rows.map { ($0.name, ["\($0.result.epochs)"], $0.scores) }, extraHeader: ["epochs"])
        scored += rows
        return rows
    }

    notebook.section(
        "The MLP models",
        """
        The default MLP autoencoder (784-512-32), VAE (784-400-20) and GAN (64-256-512-784, \
        discriminator mirrored), 10 epochs each: the models of `gen ae`, `gen vae` and `gen gan`, and of the \
        other pages (the same cached models, the same scores). Each draws samples from its own prior (the AE \
        uniformly between its training codes' extremes); the judge compares them with the \(grouped(test.count)) test images.
        """)
    let mlp = try compare(.mlp, epochs: [.ae: 10, .vae: 10, .gan: 10])
    let (ae, vae, gan) = (mlp[0].scores, mlp[1].scores, mlp[2].scores)
    notebook.verdict(
        claim: """
            “Basic AEs are not appropriate for image generation” (lecture 001); a VAE's and a GAN's samples “look like \
            the input” (lectures 002, 003)
            """,
        outcome: vae.frechetDistance.isClearlyBelow(ae.frechetDistance)
            && gan.frechetDistance.isClearlyBelow(ae.frechetDistance)
            ? .reproduced
            : (vae.frechetDistance.isClearlyBelow(ae.frechetDistance)
                || gan.frechetDistance.isClearlyBelow(ae.frechetDistance) ? .partly : .notReproduced),
        evidence: """
            Fréchet distance: AE \(ae.frechetDistance.text(1)), VAE \(vae.frechetDistance.text(1)), GAN \
            \(gan.frechetDistance.text(1)); density (how many real neighbourhoods hold a sample): \(ae.density.text(2)), \
            \(vae.density.text(2)), \(gan.density.text(2)); 3 draws of samples of one trained model each. \
            \(ae.recall.mean > max(vae.recall.mean, gan.recall.mean) ? "The AE's random codes earn the highest recall (\(ae.recall.text(2))) with their scatter: the reason the table shows density and coverage too." : "Recall: AE \(ae.recall.text(2)), VAE \(vae.recall.text(2)), GAN \(gan.recall.text(2)).")
            """)

    notebook.section(
        "The convolutional models",
        """
        The same three with convolutions: conv AE and VAE (Conv 1→32→64, stride 2), and the DCGAN of \
        Radford et al. (2015) scaled to 28 × 28, 5 epochs (minutes an epoch on a CPU).
        """)
    let conv = try compare(.conv, epochs: [.ae: 10, .vae: 10, .gan: 5])
    let better = zip(mlp, conv).filter { $1.scores.frechetDistance.isClearlyBelow($0.scores.frechetDistance) }
    notebook.verdict(
        claim: "Convolutional layers are “better for video, image and series data” (lecture 002)",
        outcome: better.count == 3 ? .reproduced : (better.isEmpty ? .notReproduced : .partly),
        evidence: zip(mlp, conv).map { m, c in
            "\(c.name) \(c.scores.frechetDistance.text(1)) against \(m.name) \(m.scores.frechetDistance.text(1))"
        }.joined(separator: "; ").capitalisedFirst
            + " (Fréchet distance): \(better.count) of the 3 convolutional models \(better.count == 1 ? "is" : "are") clearly better."
    )

    notebook.section(
        "Which clothes each model draws",
        """
        The judge's class for every sample: a model that collapses onto a few kinds of clothes shows \
        it here, whatever its samples look like one at a time. Real images hold 10% in each class.
        """)
    let real = try notebook.realScores()
    notebook.table(
        ["model"] + test.classNames + ["entropy"],
        scored.map { entry in
            let total = Double(max(entry.scores.classCounts.reduce(0, +), 1))
            return [entry.name] + entry.scores.classCounts.map { fixed(100 * Double($0) / total, 0) + "%" }
                + [entry.scores.entropy.text(2)]
        } + [
            ["real training images"]
                + real.classCounts.map {
                    fixed(100 * Double($0) / Double(max(real.classCounts.reduce(0, +), 1)), 0) + "%"
                } + [real.entropy.text(2)]
        ],
        caption: """
            Share of each model's \(grouped(count)) samples in each of the judge's classes (the first draw), and the \
            entropy of the histogram over \(Notebook.scoreDraws) draws (ln 10 = 2.30 is uniform).
            """)
    let narrow = scored.filter { real.entropy.mean - $0.scores.entropy.mean > 0.1 }
    notebook.verdict(
        claim: "A generator's samples “should follow the target probability distribution” (lecture 003), all of it",
        outcome: narrow.isEmpty ? .reproduced : (narrow.count < scored.count ? .partly : .notReproduced),
        evidence: """
            Real images spread over the judge's classes with entropy \(real.entropy.text(2)). \
            \(narrow.isEmpty ? "Every model comes within 0.1 of it." : "Short of it by more than 0.1: " + narrow.map { "\($0.name) \($0.scores.entropy.text(2))" }.joined(separator: ", ") + ".") \
            The narrowest is the \(scored.min { $0.scores.entropy.mean < $1.scores.entropy.mean }!.name).
            """)

    notebook.section(
        "Do the models copy their training images?",
        """
        A model that copies puts samples much closer to some training image than new images come. Compare \
        like with like: for \(grouped(copyCount)) samples of each model and \(grouped(copyCount)) test images (which no \
        model saw), the distance to the nearest of the \(grouped(data.train.count)) training images, in the judge's features (where \
        a near-black image is not near every other) and in pixels.
        """)
    // The training images' features: computed only when a distance is not kept from an earlier run.
    var trainingFeatures: Tensor?
    // Distances from `images` to their nearest training image: in the judge's features, and in pixels.
    func nearest(_ images: Tensor) -> (features: [Double], pixels: [Double], pairs: [Int]) {
        if trainingFeatures == nil { trainingFeatures = judge.features(of: data.train) }
        let inFeatures = nearestRows(judge.features(of: images), in: trainingFeatures!)
        return (
            inFeatures.map(\.distance), nearestImages(images, in: data.train).map(\.distance), inFeatures.map(\.index)
        )
    }
    let testImages = test.images(Array(0..<min(copyCount, test.count)))
    let reference = try notebook.measured("copying|test|\(copyCount)", scope: .shared) { nearest(testImages).features }
    let testPixels = try notebook.measured("copying|test-pixels|\(copyCount)", scope: .shared) {
        nearest(testImages).pixels
    }
    // The 1st and 50th percentiles of a list of distances.
    func percentile(_ values: [Double], _ p: Double) -> Double {
        values.sorted()[Int(p / 100 * Double(values.count - 1))]
    }
    var rows: [[String]] = [
        [
            "test images (new)", fixed(percentile(reference, 1), 2), fixed(percentile(reference, 50), 2),
            fixed(percentile(testPixels, 50), 2),
        ]
    ]
    var histogram: [(name: String, points: [(x: Double, y: Double)])] = []
    let nearest1 = percentile(reference, 1)  // how near the nearest 1% of new images come
    let top = max(percentile(reference, 99) * 1.2, 1e-6)
    let edges = stride(from: 0.0, through: top, by: top / 30).map { $0 }
    func density(_ values: [Double]) -> [(x: Double, y: Double)] {
        zip(edges, edges.dropFirst()).map { a, b in
            ((a + b) / 2, 100 * Double(values.filter { $0 >= a && $0 < b }.count) / Double(values.count))
        }
    }
    histogram.append(("test images", density(reference)))
    var closer: [(name: String, share: Double)] = []
    for entry in scored {
        var draws = SeededGenerator(seed: notebook.request.seed)
        let samples = entry.model.sample(count: copyCount, generator: &draws)
        let found = try notebook.measured("copying|\(entry.result.identity)|\(copyCount)") {
            let n = nearest(samples)
            return [n.features, n.pixels, n.pairs.map(Double.init)]
        }
        let (features, pixels) = (found[0], found[1])
        rows.append([
            entry.name, fixed(percentile(features, 1), 2), fixed(percentile(features, 50), 2),
            fixed(percentile(pixels, 50), 2),
        ])
        if entry.kind == .gan { histogram.append((entry.name, density(features))) }
        // The share of samples nearer a training image than the closest 1% of new images come.
        closer.append(
            (entry.name, Double(features.filter { $0 < nearest1 }.count) / Double(features.count)))
        if entry.kind == .gan {
            let order = features.indices.sorted { features[$0] < features[$1] }.prefix(8)
            try notebook.images(
                [
                    ("sample", samples.rows(Array(order))),
                    ("nearest", data.train.images(order.map { Int(found[2][$0]) })),
                ],
                "closest-\(entry.name.lowercased()).png", title: "\(entry.name): the samples nearest a training image",
                caption:
                    "\(entry.name): its 8 samples nearest a training image in the judge's features (top), and those training images."
            )
        }
    }
    notebook.table(
        ["images", "1st percentile, features", "median, features", "median, pixels"], rows,
        caption: """
            Distance to the nearest training image: Euclidean, in the judge's 128 features and in pixels in [0, 1]. A \
            copying model's low percentiles fall far below the test images'.
            """)
    try notebook.plot(
        histogram, x: "distance to the nearest training image (judge's features)", y: "% of images", "copying.png",
        title: "Nearest-training distances: GAN samples against new images",
        caption: "The distribution of distances to the nearest training image, for test images and each GAN's samples.")
    // Like new images, 1% of a model's samples fall that close; above 1% by more than twice its
    // binomial standard error, a model comes closer than new images do; five times chance, it copies.
    let chance = 0.01 + 1.96 * (0.01 * 0.99 / Double(copyCount)).squareRoot()
    let (copiers, nearer) = (closer.filter { $0.share > 0.05 }, closer.filter { $0.share > chance })
    notebook.verdict(
        claim: "Generative models make “new samples that look like the input but aren't in the input” (lecture 002)",
        outcome: copiers.isEmpty ? (nearer.isEmpty ? .reproduced : .partly) : .notReproduced,
        evidence: """
            1% of new test images lie within \(fixed(nearest1, 2)) of a training image in the judge's \
            features; of each model's \(grouped(copyCount)) samples, \(closer.map { "\($0.name) \(fixed(100 * $0.share, 1))%" }.joined(separator: ", ")) \
            do (chance: 1%, up to \(fixed(100 * chance, 1))% with sampling noise). \
            \(nearer.isEmpty ? "No model comes closer to its training images than new images do." : nearer.map(\.name).joined(separator: ", ") + " come\(nearer.count == 1 ? "s" : "") closer than new images do\(copiers.isEmpty ? ", though far from copying" : "; " + copiers.map(\.name).joined(separator: ", ") + " copy").")
            """)

    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "comparison"))
}
