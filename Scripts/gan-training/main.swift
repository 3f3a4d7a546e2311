// Training a GAN: Goodfellow's algorithm, k, the generator's loss, and convolution.
//   swift run gan-training            Fashion-MNIST, into Gallery/gan-training/ (shares gen gan's cached models)
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
    let stepCount = notebook.size(300, quick: 20), strongSteps = notebook.size(1_000, quick: 10)
    // The windows the table reads: the first iteration (G untrained, D as strong as it was made) and the
    // last two thirds of the run (whether saturation lasts).
    let laterStart = stepCount / 3
    let saturationSeeds = notebook.seeds(3)
    let data = try notebook.data()
    let test = data.test
    let judge = try notebook.judge()
    let epochs = notebook.epochs(10)
    let batchesPerEpoch = (data.train.count + notebook.request.batchSize - 1) / notebook.request.batchSize
    notebook.uses("the GAN's page", "../gan/index.html")
    notebook.uses("the DCGAN's page", "../dcgan/index.html")
    // D's mean outputs on real and generated images, epoch by epoch, for each run.
    typealias Run = (name: String, model: any GenerativeModel, result: TrainingResult)
    func discriminatorPlot(_ runs: [Run], topic: String, title: String) throws {
        let curves = runs.flatMap { run in
            [("\(run.name) D(x)", run.result.series(.dReal)), ("\(run.name) D(G(z))", run.result.series(.dFake))]
        }
        try notebook.plot(
            curves, x: "epoch", y: "mean output of D", "discriminator-\(topic).png",
            title: "D on real and generated images, \(title)",
            caption: "D's mean output on real images, D(x), and on generated ones, D(G(z)), each epoch.")
    }
    // The first 64 samples of each run (the first of the judge's draws), side by side.
    func sampleGrids(_ runs: [Run], topic: String, title: String) throws {
        try notebook.sampleGrids(
            runs.map { run in
                var draws = SeededGenerator(seed: notebook.request.seed)
                return (run.name, run.model.sample(count: 64, generator: &draws))
            }, "samples-\(topic).png", title: "Samples, \(title)", caption: "64 samples of each model.")
    }
    // Which of the judge's classes 2,000 samples fall into (the same draws after every epoch).
    let histogramCount = notebook.size(2_000, quick: 200)
    func classCounts(_ model: any GenerativeModel) -> [Int] {
        var draws = SeededGenerator(seed: notebook.request.seed &+ 99)
        let predicted = judge.classifier.predict(model.sample(count: histogramCount, generator: &draws))
        return test.classNames.indices.map { c in predicted.filter { $0 == c }.count }
    }
    func entropy(_ counts: [Int]) -> Double { ClassCoverage(counts: counts).entropy }

    notebook.section(
        "k discriminator steps per generator step, at equal generator steps",
        """
        The MLP GAN (G 64-256-512-784, D mirrored, LeakyReLU 0.2, Adam 2e-4, β₁ = 0.5) with k = 1 and \
        k = 5. An epoch is one pass of D over the training images, so k = 5 makes a fifth of the generator \
        steps per epoch: a fair test gives both the same number of generator steps, k = 1 for \
        \(counted(epochs, "epoch")) and k = 5 for \(counted(5 * epochs, "epoch")) \
        (\(grouped(epochs * batchesPerEpoch)) generator steps each; the films show every epoch). After every epoch the judge sorts \
        \(grouped(histogramCount)) samples (the same codes each time) into its ten classes: a generator that \
        collapses onto a few kinds of clothes shows it there.
        """)
    var kFive = ModelKind.gan.defaultSettings
    kFive.discriminatorSteps = 5
    let kOne = try notebook.train(
        .gan, ModelKind.gan.defaultSettings, epochs: epochs, film: "film-k1.gif",
        filmCaption: "k = 1: the same 64 codes decoded after every epoch.", history: "class-counts", classCounts)
    let kFiveRun = try notebook.train(
        .gan, kFive, epochs: 5 * epochs, film: "film-k5.gif",
        filmCaption:
            "k = 5: the same 64 codes decoded after every epoch (five epochs make as many generator steps as one of k = 1).",
        history: "class-counts", classCounts)
    // Each class's share of the samples against generator steps (thousands), one panel per k.
    let panels = [("k = 1", kOne.history, 1), ("k = 5", kFiveRun.history, 5)].map { name, history, k in
        (
            "",
            Figures.curves(
                test.classNames.indices.map { c in
                    (
                        test.classNames[c],
                        history.indices.map { e in
                            (
                                Double((e + 1) * batchesPerEpoch / k) / 1000,
                                100 * Double(history[e][c]) / Double(histogramCount)
                            )
                        }
                    )
                }, xLabel: "generator steps (thousands)", yLabel: "% of samples", title: notebook.title(name))
        )
    }
    try notebook.figure(
        Figures.sideBySide(panels, title: notebook.title("The judge's classes of the samples over training")),
        "classes-over-training.png",
        caption: """
            The share of \(grouped(histogramCount)) samples in each of the judge's classes after every epoch, against the \
            generator's steps: 10% each is the real images' share.
            """)
    try discriminatorPlot(
        [("k = 1", kOne.model, kOne.result), ("k = 5", kFiveRun.model, kFiveRun.result)], topic: "k",
        title: "k = 1 and k = 5")
    try sampleGrids(
        [("k = 1", kOne.model, kOne.result), ("k = 5", kFiveRun.model, kFiveRun.result)], topic: "k",
        title: "k = 1 and k = 5")
    let (oneScores, fiveScores) = (
        try notebook.scores(kOne.model, kOne.result), try notebook.scores(kFiveRun.model, kFiveRun.result)
    )
    func largest(_ counts: [Int]) -> String {
        let top = counts.indices.max { counts[$0] < counts[$1] }!
        return "\(test.classNames[top]) \(fixed(100 * Double(counts[top]) / Double(max(counts.reduce(0, +), 1)), 0))%"
    }
    try notebook.scoreTable(
        [
            ("k = 1", ["\(kOne.result.epochs)", largest(oneScores.classCounts)], oneScores),
            ("k = 5", ["\(kFiveRun.result.epochs)", largest(fiveScores.classCounts)], fiveScores),
        ], extraHeader: ["epochs", "largest class"])
    // Over the second half of a run (the first epochs of any GAN draw one blob): the epoch whose largest
    // class holds the most samples. Above 40%, four times a real class's share, the run has collapsed.
    func crowded(_ history: [[Int]]) -> (share: Double, epoch: Int) {
        history.indices.dropFirst(history.count / 2).map { e in
            (Double(history[e].max() ?? 0) / Double(max(history[e].reduce(0, +), 1)), e + 1)
        }.max { $0.0 < $1.0 }!
    }
    let (oneCrowded, fiveCrowded) = (crowded(kOne.history), crowded(kFiveRun.history))
    // The generator steps each run made (a cached run may have more epochs than asked).
    let (oneSteps, fiveSteps) = (kOne.result.epochs * batchesPerEpoch, kFiveRun.result.epochs * batchesPerEpoch / 5)
    func collapse(_ name: String, _ crowd: (share: Double, epoch: Int), _ history: [[Int]]) -> String? {
        crowd.share > 0.4
            ? "\(name)'s samples crowd into one class: after epoch \(crowd.epoch), \(largest(history[crowd.epoch - 1])) (mode collapse; real images hold 10% a class), entropy \(fixed(entropy(history[crowd.epoch - 1]), 2)) of a possible 2.30"
            : nil
    }
    let collapses = [collapse("k = 1", oneCrowded, kOne.history), collapse("k = 5", fiveCrowded, kFiveRun.history)]
        .compactMap { $0 }
    notebook.verdict(
        claim: """
            Keeping D near its optimum with k discriminator steps per generator step (Goodfellow et al. 2014; “k is a \
            hyperparameter”, lecture 003) trains a better generator, at equal generator steps
            """,
        outcome: oneSteps != fiveSteps
            ? .partly
            : (fiveScores.frechetDistance.isClearlyBelow(oneScores.frechetDistance)
                ? .reproduced
                : (oneScores.frechetDistance.isClearlyBelow(fiveScores.frechetDistance) ? .notReproduced : .partly)),
        evidence: """
            After \(oneSteps == fiveSteps ? "\(grouped(oneSteps)) generator steps each" : "\(grouped(oneSteps)) generator steps for k = 1 and \(grouped(fiveSteps)) for k = 5 (cached runs of other lengths: not an equal test)"), \
            k = 5 scores a Fréchet distance of \(fiveScores.frechetDistance.text(1)) against k = 1's \
            \(oneScores.frechetDistance.text(1)) (3 draws of samples of one trained model each), \
            \(fixed(fiveScores.classesHeld.mean, 0)) classes held against \(fixed(oneScores.classesHeld.mean, 0)). \
            \(collapses.isEmpty ? "Neither run collapses: over the second half of training no class holds more than \(fixed(100 * max(oneCrowded.share, fiveCrowded.share), 0))% of the samples." : "In the second half of training " + collapses.joined(separator: "; ") + ".")
            """)

    notebook.section(
        "Saturation, step by step",
        """
        The minimax game has G minimise log(1 − D(G(z))), whose gradient vanishes when D rejects G's \
        samples confidently (D(G(z)) near 0); Goodfellow et al. (2014) therefore have G maximise log D(G(z)) \
        (non-saturating), the same fixed point with strong gradients early. The mechanism lives in the first \
        iterations, so this records every one of the first \(stepCount): D(G(z)) on the step's batch, and the norm \
        of G's gradient, under both losses, from the usual start and from a start where D was first trained \
        alone for \(strongSteps) steps against the untrained G (a strong D). \(counted(saturationSeeds.count, "seed")) each.
        """)
    struct Trace: Codable { var dFake: [Double], gradientNorm: [Double] }
    // One seed's GAN under one generator loss, and what feeds it: the training images in a new
    // order each pass, and the noise.
    final class Game {
        let gan: GAN
        let learner: Learner
        let seed: UInt64
        let images: Dataset, batchSize: Int
        var pass: UInt64 = 0
        var batches: Batches.Iterator
        var noise: SeededGenerator
        init(_ loss: GeneratorLoss, seed: UInt64, images: Dataset, batchSize: Int) {
            var settings = ModelKind.gan.defaultSettings
            settings.generatorLoss = loss
            gan = ModelKind.gan.makeModel(settings, image: images.imageShape, seed: seed) as! GAN
            learner = Learner(gan, optimizer: ModelKind.gan.optimizer(settings))
            (self.seed, self.images, self.batchSize) = (seed, images, batchSize)
            batches = Game.shuffled(images, batchSize: batchSize, seed: seed, pass: 0, range: gan.pixelRange)
            noise = SeededGenerator(seed: seed &+ 1)
        }
        static func shuffled(_ images: Dataset, batchSize: Int, seed: UInt64, pass: UInt64, range: PixelRange)
            -> Batches.Iterator
        {
            var shuffle: SeededGenerator? = SeededGenerator(seed: seed &+ 1_000 &* pass)
            return Batches(images, batchSize: batchSize, range: range, shuffledBy: &shuffle).makeIterator()
        }
        func nextBatch() -> Batch {
            if let batch = batches.next() { return batch }
            pass += 1
            batches = Game.shuffled(images, batchSize: batchSize, seed: seed, pass: pass, range: gan.pixelRange)
            return batches.next()!
        }
        // D trained alone against the untrained G: a strong D.
        func strengthenD(steps: Int) {
            for _ in 0..<steps { learner.step(group: GAN.discriminatorGroup, batch: nextBatch(), generator: &noise) }
        }
        // The same game as `other` from here on (its weights, Adam's moments, its place in the
        // images and the noise), whatever this one's generator loss: G's loss does not enter D's
        // steps, so D made strong once serves both losses.
        // The copied iterator shares its image buffer with `other`'s: the two games are played one
        // after the other, never interleaved.
        func resume(_ other: Game) {
            let (mine, theirs) = (learner.checkpointTensors, other.learner.checkpointTensors)
            precondition(mine.map(\.name) == theirs.map(\.name), "two games of one network")
            for (mine, theirs) in zip(mine, theirs) { mine.value.assign(theirs.value) }
            (pass, batches, noise) = (other.pass, other.batches, other.noise)
        }
        // The next `count` iterations: D(G(z)) and ‖∇G‖ at each.
        func trace(_ count: Int) -> Trace {
            let generatorParameters = gan.parameterGroups[GAN.generatorGroup].parameters
            var result = Trace(dFake: [], gradientNorm: [])
            for _ in 0..<count {
                gan.beginEpoch()  // so that the epoch's figures are this step's
                _ = learner.step(nextBatch(), generator: &noise)
                result.dFake.append(gan.epochMetrics().first { $0.0 == .dFake }!.1)
                // After the step G's gradients are still in place: their norm over all of G's parameters.
                result.gradientNorm.append(generatorParameters.gradientNorm)
            }
            return result
        }
    }
    func game(_ loss: GeneratorLoss, seed: UInt64) -> Game {
        Game(loss, seed: seed, images: data.train, batchSize: notebook.request.batchSize)
    }
    let variants: [(name: String, loss: GeneratorLoss, strongD: Bool)] = [
        ("non-saturating", .nonSaturating, false), ("minimax", .minimax, false),
        ("non-saturating, strong D", .nonSaturating, true), ("minimax, strong D", .minimax, true),
    ]
    let usualStart = try [GeneratorLoss.nonSaturating, .minimax].map { loss in
        try notebook.measured("saturation|\(loss.rawValue)|\(stepCount)|\(saturationSeeds)") {
            saturationSeeds.map { game(loss, seed: $0).trace(stepCount) }
        }
    }
    // Per seed, both losses from one strong D.
    let strongStart = try notebook.measured("saturation|strong D|\(stepCount)|\(strongSteps)|\(saturationSeeds)") {
        saturationSeeds.map { seed in
            let (nonSaturating, minimax) = (game(.nonSaturating, seed: seed), game(.minimax, seed: seed))
            nonSaturating.strengthenD(steps: strongSteps)
            minimax.resume(nonSaturating)
            return [nonSaturating.trace(stepCount), minimax.trace(stepCount)]
        }
    }
    // Each variant's traces over seeds, by its loss (non-saturating first) and start.
    let traces = variants.map { variant in
        let index = variant.loss == .nonSaturating ? 0 : 1
        return variant.strongD ? strongStart.map { $0[index] } : usualStart[index]
    }
    // The mean over seeds at each iteration, every 5th iteration drawn.
    func curve(_ runs: [Trace], _ figure: (Trace) -> [Double], transform: (Double) -> Double = { $0 }) -> [(
        x: Double, y: Double
    )] {
        stride(from: 0, to: stepCount, by: 5).map { i in
            (Double(i + 1), transform(runs.map { figure($0)[i] }.reduce(0, +) / Double(runs.count)))
        }
    }
    try notebook.figure(
        Figures.sideBySide(
            [
                (
                    "",
                    Figures.curves(
                        zip(variants, traces).map { ($0.name, curve($1, \.dFake)) }, xLabel: "iteration",
                        yLabel: "D(G(z)), mean on the batch", title: notebook.title("D's output on generated images"))
                ),
                (
                    "",
                    Figures.curves(
                        zip(variants, traces).map { ($0.name, curve($1, \.gradientNorm, transform: log10)) },
                        xLabel: "iteration", yLabel: "log₁₀ ‖∇G‖", title: notebook.title("The norm of G's gradient"))
                ),
            ], title: notebook.title("The first \(stepCount) iterations under each generator loss")),
        "saturation.png",
        caption: """
            Every fifth of the first \(stepCount) iterations, the mean over \(counted(saturationSeeds.count, "seed")): D's \
            mean output on the generated batch, and the norm of G's gradient (log scale). Strong D: D trained alone for \
            \(strongSteps) steps first.
            """)
    // Per seed: D(G(z)) and ‖∇G‖ at the first iteration, and their medians over the later iterations.
    func figures(_ runs: [Trace]) -> (dFake: Spread, norm: Spread, laterDFake: Spread, laterNorm: Spread) {
        func median(_ values: ArraySlice<Double>) -> Double { values.sorted()[values.count / 2] }
        return (
            Spread(runs.map { $0.dFake[0] }), Spread(runs.map { $0.gradientNorm[0] }),
            Spread(runs.map { median($0.dFake[laterStart...]) }),
            Spread(runs.map { median($0.gradientNorm[laterStart...]) })
        )
    }
    let measured = traces.map(figures)
    notebook.table(
        [
            "generator loss", "D(G(z)), iteration 1", "‖∇G‖, iteration 1",
            "D(G(z)), iterations \(laterStart + 1)–\(stepCount)",
            "‖∇G‖, iterations \(laterStart + 1)–\(stepCount)",
        ],
        zip(variants, measured).map {
            [$0.name, $1.dFake.text(3), $1.norm.text(3), $1.laterDFake.text(3), $1.laterNorm.text(3)]
        },
        caption:
            "At the first iteration, and the median over the later ones; mean ± standard deviation over \(counted(saturationSeeds.count, "seed"))."
    )
    let (strongNS, strongMM) = (measured[2], measured[3])
    let starved = strongMM.norm.mean < strongNS.norm.mean / 10 && strongMM.norm.isClearlyBelow(strongNS.norm)
    let lasting = strongMM.laterNorm.isClearlyBelow(strongNS.laterNorm)
    notebook.verdict(
        claim: """
            “Early in learning, when G is poor, D can reject samples with high confidence … log(1 − D(G(z))) \
            saturates”; maximising log D(G(z)) instead gives strong gradients (Goodfellow et al. 2014)
            """,
        // Only a D that rejects confidently (D(G(z)) below 0.1) tests the mechanism at all.
        outcome: strongMM.dFake.mean >= 0.1 ? .partly : (starved ? (lasting ? .reproduced : .partly) : .notReproduced),
        evidence: """
            Against a strong D (D(G(z)) \(strongMM.dFake.text(3)) at the first iteration) the minimax loss gives G a \
            gradient of norm \(strongMM.norm.text(3)) against the non-saturating loss's \(strongNS.norm.text(3)) \
            (\(fixed(strongNS.norm.mean / max(strongMM.norm.mean, 1e-12), 0))× smaller)\(strongMM.dFake.mean >= 0.1 ? ": this D was not strong enough to test the mechanism" : (starved ? ": saturation, as the paper says" : ": no saturation to speak of")); \
            over iterations \(laterStart + 1)–\(stepCount) the minimax generator's gradient is \
            \(lasting ? "still clearly smaller" : "not clearly smaller") (median \(strongMM.laterNorm.text(3)) against \
            \(strongNS.laterNorm.text(3))). From the usual start D(G(z)) begins at \(measured[1].dFake.text(2)): that D \
            does not reject G's samples confidently, so the minimax loss has little to saturate there (next section).
            """)

    notebook.section(
        "Minimax against non-saturating over a whole run",
        """
        The same two losses over \(counted(epochs, "epoch")) from the usual start, k = 1: does the saturation \
        above cost the minimax loss anything when D never gets that strong?
        """)
    var minimax = ModelKind.gan.defaultSettings
    minimax.generatorLoss = .minimax
    let (minimaxModel, minimaxResult) = try notebook.train(.gan, minimax, epochs: epochs)
    let lossRuns: [Run] = [("non-saturating", kOne.model, kOne.result), ("minimax", minimaxModel, minimaxResult)]
    try discriminatorPlot(lossRuns, topic: "loss", title: "by generator loss")
    try sampleGrids(lossRuns, topic: "loss", title: "by generator loss")
    let minimaxScores = try notebook.scores(minimaxModel, minimaxResult)
    try notebook.scoreTable([("non-saturating", [], oneScores), ("minimax", [], minimaxScores)])
    let firstEpoch = { (result: TrainingResult) in fixed(result.records.first?[.dFake] ?? .nan, 2) }
    notebook.verdict(
        claim: "The non-saturating loss trains a better generator than the minimax one (Goodfellow et al. 2014)",
        outcome: oneScores.frechetDistance.isClearlyBelow(minimaxScores.frechetDistance)
            ? .reproduced
            : (minimaxScores.frechetDistance.isClearlyBelow(oneScores.frechetDistance) ? .notReproduced : .partly),
        evidence: """
            After \(counted(epochs, "epoch")) the non-saturating GAN scores a Fréchet distance of \
            \(oneScores.frechetDistance.text(1)), the minimax one \(minimaxScores.frechetDistance.text(1)); D's mean \
            output on generated images over the first epoch was \(firstEpoch(kOne.result)) and \(firstEpoch(minimaxResult))\
            \((minimaxResult.records.first?[.dFake] ?? 0) > 0.1 ? ": with this D the minimax loss is never starved, so the remedy has little to remedy" : "").
            """)

    notebook.section(
        "MLP GAN against DCGAN",
        """
        The DCGAN of Radford et al. (2015), scaled to 28 × 28: G 64 → 128·7·7 → transposed convolutions \
        with batch norm and ReLU → tanh; D strided convolutions with LeakyReLU and batch norm. \
        \(counted(notebook.epochs(5), "epoch")) (minutes each on a CPU: the gallery's longest training) against the MLP GAN's \(epochs).
        """)
    let (dcgan, dcganResult) = try notebook.train(
        .gan, ModelKind.gan.defaultSettings(.conv), epochs: notebook.epochs(5))
    let architectureRuns: [Run] = [("MLP GAN", kOne.model, kOne.result), ("DCGAN", dcgan, dcganResult)]
    try discriminatorPlot(architectureRuns, topic: "dcgan", title: "MLP GAN and DCGAN")
    try sampleGrids(architectureRuns, topic: "dcgan", title: "MLP GAN and DCGAN")
    let dcganScores = try notebook.scores(dcgan, dcganResult)
    try notebook.scoreTable(
        [
            ("MLP GAN", [grouped(kOne.model.parameterCount), "\(kOne.result.epochs)"], oneScores),
            ("DCGAN", [grouped(dcgan.parameterCount), "\(dcganResult.epochs)"], dcganScores),
        ], extraHeader: ["parameters", "epochs"])
    notebook.verdict(
        claim:
            "The “refined” GANs of the lecture's later slides, convolutional ones (Radford et al. 2015), draw better images (lecture 003)",
        outcome: dcganScores.frechetDistance.isClearlyBelow(oneScores.frechetDistance)
            ? (dcganScores.coverage.isClearlyBelow(oneScores.coverage) ? .partly : .reproduced)
            : (oneScores.frechetDistance.isClearlyBelow(dcganScores.frechetDistance) ? .notReproduced : .partly),
        evidence: """
            The DCGAN's samples score a Fréchet distance of \(dcganScores.frechetDistance.text(1)) against the MLP GAN's \
            \(oneScores.frechetDistance.text(1)), coverage \(dcganScores.coverage.text(2)) against \
            \(oneScores.coverage.text(2)) (3 draws of samples of one trained model each), after \
            \(counted(dcganResult.epochs, "epoch")) against \(kOne.result.epochs): the DCGAN's epoch costs far more (its \
            page in the gallery has the time).
            """)

    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "gan-training"))
}
