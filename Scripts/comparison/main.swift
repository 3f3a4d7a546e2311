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
    let data = try notebook.data()
    let test = data.test
    let judge = try notebook.judge()
    let count = notebook.size(10_000, quick: 500)
    // Each model's name, the judge's verdict on its samples, and its samples closest to a training image.
    var verdicts: [(name: String, evaluation: SampleEvaluation, closest: Tensor)] = []
    // Trains (or reuses: `gen ae`, `gen vae` and `gen gan` cache the same models for the same
    // seed) the three models of `architecture`, draws their samples and scores them.
    func compare(_ architecture: Architecture, epochs: [ModelKind: Int]) throws {
        var panels: [(name: String, images: Tensor)] = [], rows: [[String]] = []
        for kind in [ModelKind.ae, .vae, .gan] {
            let (model, result) = try notebook.train(
                kind, kind.defaultSettings(architecture), epochs: notebook.epochs(epochs[kind]!))
            var draws = SeededGenerator(seed: notebook.request.seed)
            let samples = model.sample(count: count, generator: &draws)
            let verdict = judge.evaluate(samples, training: data.train, test: test)
            verdicts.append((model.displayName, verdict, samples.rows(verdict.closestPairs.map(\.sample))))
            panels.append((model.displayName, samples.rows(0..<64)))
            rows.append([
                model.displayName, counted(result.epochs, "epoch"), fixed(verdict.frechetDistance, 1),
                fixed(verdict.precision, 2),
                fixed(verdict.recall, 2), "\(verdict.coverage.classesHeld)", fixed(verdict.coverage.entropy, 2),
            ])
        }
        try notebook.sampleGrids(
            panels, "samples-\(architecture.rawValue).png", title: "Samples",
            caption: "The first 64 of each model's \(count) samples.")
        notebook.table(
            ["model", "trained", "Fréchet distance", "precision", "recall", "classes", "entropy"], rows,
            caption: """
                Fréchet distance and k-NN precision/recall (k = 3) in the judge's 128 features (lower distance, \
                higher precision and recall are better); the classes holding 2% of the samples, and the entropy \
                of their histogram (ln 10 = 2.30 is uniform).
                """)
    }

    notebook.section(
        "The MLP models",
        """
        The default MLP autoencoder (784-512-32), VAE (784-400-20) and GAN (64-256-512-784, \
        discriminator mirrored), 10 epochs each. Each draws \(count) samples from its own prior (the AE \
        uniformly between its training codes' extremes); the judge compares them with the 10,000 test images.
        """)
    try compare(.mlp, epochs: [.ae: 10, .vae: 10, .gan: 10])

    notebook.section(
        "The convolutional models",
        """
        The same three with convolutions: conv AE and VAE (Conv 1→32→64, stride 2), and the DCGAN of \
        Radford et al. (2015) scaled to 28 × 28, 5 epochs (about 90 s an epoch on 2 cores).
        """)
    try compare(.conv, epochs: [.ae: 10, .vae: 10, .gan: 5])

    notebook.section(
        "Which clothes each model draws",
        """
        The judge's class for every sample: a model that collapses onto a few kinds of clothes shows \
        it here, whatever its samples look like one at a time. Real test images hold 10% in each class.
        """)
    notebook.table(
        ["model"] + test.classNames,
        verdicts.map { verdict in
            let total = Double(max(verdict.evaluation.coverage.counts.reduce(0, +), 1))
            return [verdict.name] + verdict.evaluation.coverage.counts.map { fixed(100 * Double($0) / total, 0) + "%" }
        }, caption: "Share of each model's samples in each of the judge's classes.")
    let fewest = verdicts.min { $0.evaluation.coverage.entropy < $1.evaluation.coverage.entropy }!
    notebook.say(
        """
        The narrowest spread is the \(fewest.name)'s: entropy \(fixed(fewest.evaluation.coverage.entropy, 2)) \
        of a possible 2.30, \(fewest.evaluation.coverage.classesHeld) classes holding 2% of its samples.
        """)

    notebook.section(
        "Do the models copy their training images?",
        """
        For each sample, the distance to its nearest training image in pixels, against the same for the \
        test images, which no model saw: samples far closer than test images would be copies. Shown: each \
        GAN's 8 samples closest to a training image, beside it.
        """)
    notebook.table(
        ["model", "sample to nearest training image", "test image to nearest training image", "closest sample"],
        verdicts.map {
            let e = $0.evaluation
            return [
                $0.name, fixed(e.sampleNearestMedian, 2), fixed(e.testNearestMedian, 2),
                fixed(e.closestPairs.first?.distance ?? .nan, 2),
            ]
        }, caption: "Medians, and the single closest sample: Euclidean distances between images with pixels in [0, 1].")
    for verdict in verdicts.filter({ $0.name.hasSuffix("GAN") }) {
        let nearest = data.train.images(verdict.evaluation.closestPairs.map(\.training))
        try notebook.images(
            [("sample", verdict.closest), ("nearest", nearest)], "closest-\(verdict.name.lowercased()).png",
            title: "\(verdict.name): the samples closest to a training image",
            caption: "\(verdict.name): its 8 samples closest to a training image (top) and those training images.")
    }

    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "comparison"))
}
