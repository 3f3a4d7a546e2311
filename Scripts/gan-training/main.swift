// Training a GAN: Goodfellow's algorithm, k, the generator's loss, and convolution.
//   swift run gan-training            Fashion-MNIST, into Gallery/gan-training/ (reuses gen gan's models)
//   swift run gan-training --quick    synthetic digits, one epoch per model: seconds
import Foundation
import Lab

do {
    let notebook = try Notebook(
        "gan-training", title: "Training a GAN: k, the generator's loss, and convolution",
        introduction: """
            Goodfellow et al. (2014) train two networks against each other: each iteration takes k steps on \
            the discriminator D (raise log D(x) + log(1 − D(G(z)))), then one on the generator G. This page \
            changes one thing at a time: k, the generator's loss, and the networks themselves, and watches \
            D's outputs, the samples and which clothes the samples fall into (the judge's classes).
            """, order: 5)
    let data = try notebook.data()
    let test = data.test
    let judge = try notebook.judge()
    let count = notebook.size(5_000, quick: 500)
    // Two runs side by side: D's mean outputs epoch by epoch (from metrics.jsonl), their samples, and
    // the judge's verdict on each; the figures are named after `topic`.
    typealias Run = (name: String, model: any GenerativeModel, result: TrainingResult)
    func compare(_ runs: [Run], topic: String, title: String) throws -> [SampleEvaluation] {
        let curves = runs.flatMap { run in
            [("\(run.name) D(x)", run.result.series(.dReal)), ("\(run.name) D(G(z))", run.result.series(.dFake))]
        }
        try notebook.plot(
            curves, x: "epoch", y: "mean output of D", "discriminator-\(topic).png",
            title: "D on real and generated images, \(title)",
            caption: "D's mean output on real images, D(x), and on generated ones, D(G(z)), each epoch.")
        var panels: [(name: String, images: Tensor)] = [], verdicts: [SampleEvaluation] = []
        for run in runs {
            var draws = SeededGenerator(seed: notebook.request.seed)
            let samples = run.model.sample(count: count, generator: &draws)
            verdicts.append(judge.evaluate(samples, training: data.train, test: test, memorisationCount: 0))
            panels.append((run.name, samples.rows(0..<64)))
        }
        try notebook.sampleGrids(
            panels, "samples-\(topic).png", title: "Samples, \(title)",
            caption: "The first 64 of each model's \(count) samples.")
        let header = ["model", "Fréchet distance", "precision", "recall", "classes held", "entropy", "largest class"]
        notebook.table(
            header,
            zip(runs, verdicts).map { run, verdict in
                let counts = verdict.coverage.counts, top = counts.indices.max { counts[$0] < counts[$1] }!
                let share = fixed(100 * Double(counts[top]) / Double(count), 0) + "%"
                return [
                    run.name, fixed(verdict.frechetDistance, 1), fixed(verdict.precision, 2), fixed(verdict.recall, 2),
                    "\(verdict.coverage.classesHeld) of 10", fixed(verdict.coverage.entropy, 2),
                    "\(test.classNames[top]) \(share)",
                ]
            },
            caption: """
                The judge's scores of \(count) samples each. Classes held: classes with at least 2% of the samples; \
                entropy of the class histogram (ln 10 = 2.30 is uniform).
                """)
        return verdicts
    }
    let epochs = notebook.epochs(10)

    notebook.section(
        "k discriminator steps per generator step",
        """
        The MLP GAN (G 64-256-512-784, D mirrored, LeakyReLU 0.2, Adam 2e-4, β₁ = 0.5) with k = 1 \
        and k = 5. An epoch is one pass of the discriminator over the training images, so k = 5 takes a \
        fifth of the generator steps. D(x) and D(G(z)) are D's mean outputs on the epoch's real and \
        generated batches: at the game's equilibrium both are ½.
        """)
    var kFive = ModelKind.gan.defaultSettings
    kFive.discriminatorSteps = 5
    let (kOne, kOneResult) = try notebook.train(
        .gan, ModelKind.gan.defaultSettings, epochs: epochs, film: "film-k1.gif",
        filmCaption: "k = 1: the same 64 codes decoded after every epoch.")
    let (kFiveModel, kFiveResult) = try notebook.train(
        .gan, kFive, epochs: epochs, film: "film-k5.gif",
        filmCaption: "k = 5: the same 64 codes decoded after every epoch.")
    let byK = try compare(
        [("k = 1", kOne, kOneResult), ("k = 5", kFiveModel, kFiveResult)], topic: "k", title: "k = 1 and k = 5")
    notebook.say(
        """
        After the last epoch D's mean output on generated images is \(fixed(try kFiveResult.final(.dFake), 2)) with \
        k = 5 against \(fixed(try kOneResult.final(.dFake), 2)) with k = 1; the judge finds k = 5's samples in \
        \(byK[1].coverage.classesHeld) of 10 classes (entropy \(fixed(byK[1].coverage.entropy, 2))) against \
        \(byK[0].coverage.classesHeld) of 10 (\(fixed(byK[0].coverage.entropy, 2))).
        """)

    notebook.section(
        "Minimax against non-saturating generator loss",
        """
        The minimax game has G minimise log(1 − D(G(z))), whose gradient vanishes while D rejects G's \
        samples confidently, early in training. Goodfellow et al. suggest G maximise log D(G(z)) \
        instead (non-saturating): the same fixed point, strong gradients early. Both with k = 1.
        """)
    var minimax = ModelKind.gan.defaultSettings
    minimax.generatorLoss = .minimax
    let (minimaxModel, minimaxResult) = try notebook.train(.gan, minimax, epochs: epochs)
    _ = try compare(
        [("non-saturating", kOne, kOneResult), ("minimax", minimaxModel, minimaxResult)], topic: "loss",
        title: "by generator loss")
    let firstEpoch = { (result: TrainingResult) in fixed(result.records.first?[.dFake] ?? .nan, 2) }
    notebook.say(
        """
        D's mean output on generated images over the first epoch: \(firstEpoch(minimaxResult)) with the minimax loss, \
        \(firstEpoch(kOneResult)) with the non-saturating one.
        """)

    notebook.section(
        "MLP GAN against DCGAN",
        """
        The DCGAN of Radford et al. (2015), scaled to 28 × 28: G 64 → 128·7·7 → transposed convolutions \
        with batch norm and ReLU → tanh; D strided convolutions with LeakyReLU and batch norm. \
        \(counted(notebook.epochs(5), "epoch")) (about 90 s each on 2 cores) against the MLP GAN's \(epochs).
        """)
    let (dcgan, dcganResult) = try notebook.train(
        .gan, ModelKind.gan.defaultSettings(.conv), epochs: notebook.epochs(5))
    let verdicts = try compare(
        [("MLP GAN", kOne, kOneResult), ("DCGAN", dcgan, dcganResult)], topic: "dcgan", title: "MLP GAN and DCGAN")
    notebook.say(
        """
        The DCGAN's samples score a Fréchet distance of \(fixed(verdicts[1].frechetDistance, 1)) against the \
        MLP GAN's \(fixed(verdicts[0].frechetDistance, 1)), and a recall of \(fixed(verdicts[1].recall, 2)) \
        against \(fixed(verdicts[0].recall, 2)): how much of the variety of real clothes each covers.
        """)

    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "gan-training"))
}
