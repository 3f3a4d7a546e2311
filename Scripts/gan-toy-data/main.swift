// The GAN game on toy data: Goodfellow's 1-D picture, the optimal discriminator, and mode collapse
// on a ring of eight Gaussians, with a remedy and the VAE beside it.
//   swift run gan-toy-data            into Gallery/gan-toy-data/ (toy networks: a few minutes)
//   swift run gan-toy-data --quick    a tenth of the iterations: seconds
import Foundation
import Lab

do {
    let notebook = try Notebook(
        "gan-toy-data", title: "The GAN game on toy data",
        introduction: """
            Before images, the game itself, on data whose density is known: numbers drawn from two Gaussians, then \
            points on a ring of eight. Here the generator's density, the discriminator's output and the optimal \
            discriminator can be drawn on one axis, and a generator that collapses onto a few modes can be counted. \
            Every network is a small MLP (two hidden layers, LeakyReLU 0.2, Adam with β₁ = 0.5, batches of 256 fresh \
            draws each step), so everything here trains in seconds.
            """, order: 5)
    notebook.ownData = "toy data"
    notebook.uses("the image GAN's page", "../gan/index.html")
    notebook.uses("Training a GAN (the same questions on images)", "../gan-training/index.html")
    let seeds = notebook.seeds(3)
    let scale = notebook.quick ? 10 : 1  // --quick: a tenth of the iterations
    let batchSize = 256
    let leaky = Activation.leakyReLU(slope: 0.2)

    // G: latent → width → width → data, linear output (the data are not pixels); D: data → width →
    // width → one logit, optionally seeing the batch's spread after its first layer.
    func discriminator(dimension: Int, width: Int, batchSpread: Bool, generator g: inout SeededGenerator) -> Sequential
    {
        let first = Dense(inputSize: dimension, outputSize: width, activation: leaky, generator: &g)
        let rest = multilayerPerceptron(
            [width + (batchSpread ? 1 : 0), width, 1], hidden: leaky, inputIsData: false, generator: &g)
        return Sequential([first] + (batchSpread ? [MinibatchStandardDeviation()] : []) + [rest])
    }
    func toyGAN(dimension: Int, latent: Int, width: Int, k: Int = 1, batchSpread: Bool = false, seed: UInt64) -> GAN {
        var g = SeededGenerator(seed: seed)
        let generator = multilayerPerceptron(
            [latent, width, width, dimension], hidden: leaky, inputIsData: true, generator: &g)
        return GAN(
            generator: generator,
            discriminator: discriminator(dimension: dimension, width: width, batchSpread: batchSpread, generator: &g),
            latentDimension: latent, discriminatorSteps: k)
    }
    // Algorithm 1 on fresh draws of `mixture` until G has taken `steps` steps; `snapshot(s)` after G's
    // s-th step for each s in `marks` (0: before any).
    func play(
        _ gan: GAN, on mixture: GaussianMixture, steps: Int, learningRate: Float, seed: UInt64, marks: [Int],
        _ snapshot: (Int) -> Void
    ) {
        let learner = Learner(gan, optimizer: Adam(learningRate: learningRate, beta1: 0.5))
        var random = SeededGenerator(seed: seed &+ 1)
        let batch = Tensor(zeros: Shape(batchSize, mixture.dimension))
        if marks.contains(0) { snapshot(0) }
        while gan.generatorUpdates < steps {
            let before = gan.generatorUpdates
            mixture.fill(batch, generator: &random)
            learner.step(Batch(images: batch), generator: &random)
            if gan.generatorUpdates > before && marks.contains(gan.generatorUpdates) { snapshot(gan.generatorUpdates) }
        }
    }
    // `count` draws of G(z), z ~ N(0, I), (count, data dimension).
    func generated(_ gan: GAN, _ count: Int, seed: UInt64) -> Tensor {
        var random = SeededGenerator(seed: seed)
        let z = Tensor(zeros: Shape(count, gan.latentDimension))
        z.fillNormal(using: &random)
        return gan.generator(z).copy()
    }
    // D(x) = sigmoid(logit) at each of `xs` (1-D data).
    func discriminatorCurve(_ d: any Layer, at xs: [Double]) -> [Double] {
        let logits = d(Tensor(shape: Shape(xs.count, 1), values: xs.map { Float($0) }))
        return (0..<xs.count).map { Double(stableSigmoid(logits.data[$0])) }
    }

    let histogramCount = notebook.size(50_000, quick: 5_000)
    notebook.section(
        "The game in one dimension",
        """
        Goodfellow et al. (2014) draw the game on a line (their Figure 1): the data's density, the generator's, and \
        the discriminator's output D(x) on one axis. Here the data are two Gaussians (means ±1.5, σ = 0.5); G maps \
        four standard normal numbers through 4-64-64-1, D reads one number through 1-64-64-1 (Adam 2e-4, as the \
        image GAN). Each panel is the state after that many generator steps (k = 1): G's density is a histogram \
        of \(grouped(histogramCount)) draws of G(z).
        """)
    let line = GaussianMixture(centres: [[-1.5], [1.5]], standardDeviation: 0.5)
    let (low, high, bins) = (-4.0, 4.0, 80)
    let xs = DensityHistogram([], low: low, high: high, bins: bins).centres
    let dataDensity = xs.map { line.density([$0]) }
    func curve(_ ys: [Double]) -> [(x: Double, y: Double)] { zip(xs, ys).map { (x: $0, y: $1) } }
    let gameSteps = 6_000 / scale, frozenAt = 100 / scale, aloneSteps = 2_000 / scale
    let lineMarks = [0, frozenAt, 1_000 / scale, gameSteps]
    func density(_ values: Tensor) -> DensityHistogram {
        DensityHistogram(values.scalars.map(Double.init), low: low, high: high, bins: bins)
    }
    // A weighted mean of |a − b| over the bins.
    func weightedGap(_ a: [Double], _ b: [Double], weights: [Double]) -> Double {
        zip(zip(a, b), weights).reduce(0.0) { $0 + abs($1.0.0 - $1.0.1) * $1.1 } / weights.reduce(0, +)
    }
    struct LineSnapshot: Codable { var step: Int, generatorDensity: DensityHistogram, discriminator: [Double] }
    struct LineGame: Codable {
        var snapshots: [LineSnapshot]
        // Against G frozen at `frozenAt`: a fresh D trained alone, and D* from the two densities.
        var aloneDiscriminator: [Double], optimalDiscriminator: [Double]
        var totalVariationStart: Double, totalVariationEnd: Double, optimalGap: Double, halfGapEnd: Double
    }
    let lineGames = try seeds.map { seed in
        try notebook.measured("line|\(seed)|\(gameSteps)|\(aloneSteps)|\(histogramCount)") { () -> LineGame in
            let gan = toyGAN(dimension: 1, latent: 4, width: 64, seed: seed)
            var snapshots: [LineSnapshot] = []
            var alone: [Double] = [], optimal: [Double] = []
            play(gan, on: line, steps: gameSteps, learningRate: 2e-4, seed: seed, marks: lineMarks) { step in
                let pG = density(generated(gan, histogramCount, seed: seed &+ 7))
                snapshots.append(
                    LineSnapshot(
                        step: step, generatorDensity: pG, discriminator: discriminatorCurve(gan.discriminator, at: xs)))
                guard step == frozenAt else { return }
                // Proposition 1 tested where it says something: G frozen early, far from the data, and a
                // fresh D trained alone against it (G's parameters are shared, never stepped).
                var g = SeededGenerator(seed: seed &+ 11)
                let judge = GAN(
                    generator: gan.generator,
                    discriminator: discriminator(dimension: 1, width: 64, batchSpread: false, generator: &g),
                    latentDimension: gan.latentDimension)
                let learner = Learner(judge, optimizer: Adam(learningRate: 1e-3, beta1: 0.5))
                var random = SeededGenerator(seed: seed &+ 12)
                let batch = Tensor(zeros: Shape(batchSize, 1))
                for _ in 0..<aloneSteps {
                    line.fill(batch, generator: &random)
                    learner.step(group: GAN.discriminatorGroup, batch: Batch(images: batch), generator: &random)
                }
                alone = discriminatorCurve(judge.discriminator, at: xs)
                optimal = zip(dataDensity, pG.densities).map { $0 + $1 > 0 ? $0 / ($0 + $1) : 0.5 }
            }
            let first = snapshots.first!, last = snapshots.last!
            let frozen = snapshots.first { $0.step == frozenAt }!.generatorDensity.densities
            return LineGame(
                snapshots: snapshots, aloneDiscriminator: alone, optimalDiscriminator: optimal,
                totalVariationStart: first.generatorDensity.totalVariation(to: dataDensity),
                totalVariationEnd: last.generatorDensity.totalVariation(to: dataDensity),
                optimalGap: weightedGap(alone, optimal, weights: zip(dataDensity, frozen).map(+)),
                halfGapEnd: weightedGap(last.discriminator, xs.map { _ in 0.5 }, weights: dataDensity))
        }
    }
    // The noise floor of the distance: a histogram of as many draws of the data themselves.
    let floor = try notebook.measured("line-floor|\(histogramCount)") { () -> Spread in
        Spread(
            seeds.map { seed in
                var random = SeededGenerator(seed: seed &+ 21)
                return density(line.sample(histogramCount, generator: &random)).totalVariation(to: dataDensity)
            })
    }

    let firstGame = lineGames[0]
    try notebook.figure(
        Figures.sideBySide(
            firstGame.snapshots.map { snapshot in
                (
                    "",
                    Figures.curves(
                        [
                            ("p_data", curve(dataDensity)),
                            ("p_G (histogram of G(z))", curve(snapshot.generatorDensity.densities)),
                            ("D(x)", curve(snapshot.discriminator)),
                        ], xLabel: "x", yLabel: "density, or D's output",
                        title: notebook.title(
                            "After \(counted(snapshot.step, "generator step"))", data: "two Gaussians"),
                        axes: PlotAxes(markers: false))
                )
            }, columns: 2, title: notebook.title("The game on a line", data: "two Gaussians")),
        "game-on-a-line.png",
        caption: """
            The data's density (known), G's (a histogram) and D's output, after 0, \(frozenAt), \(grouped(1_000 / scale)) and \
            \(gameSteps) generator steps (the first seed).
            """)
    let tvStart = Spread(lineGames.map(\.totalVariationStart)), tvEnd = Spread(lineGames.map(\.totalVariationEnd))
    notebook.table(
        ["", "total variation to p_data"],
        [
            ["G before training", tvStart.text(3)], ["G after \(counted(gameSteps, "step"))", tvEnd.text(3)],
            ["\(grouped(histogramCount)) draws of the data itself (the histogram's floor)", floor.text(3)],
        ],
        caption: """
            ½ ∫ |p_G − p_data| over the 80 bins from −4 to 4 (0: the same density, 1: no overlap), mean ± standard \
            deviation over \(counted(seeds.count, "seed")).
            """)
    notebook.verdict(
        claim:
            "G takes a random input z and “returns G(z) which should follow the target probability distribution” (lecture 003)",
        outcome: tvEnd.isClearlyBelow(tvStart) ? (tvEnd.mean < 0.1 ? .reproduced : .partly) : .notReproduced,
        evidence: """
            G's density moves from a total variation of \(tvStart.text(3)) to p_data to \(tvEnd.text(3)) after \
            \(grouped(gameSteps)) steps (\(counted(seeds.count, "seed")); a histogram of the data itself reads \
            \(floor.text(3))); the page counts 0.1 or less as following it. A smooth map of normal numbers has to \
            fold them into two humps: the gap between the humps and their edges are where G's density stays \
            off the data's longest.
            """)

    notebook.section(
        "The optimal discriminator",
        """
        For a fixed G, the D that maximises the game's value is D*(x) = p_data(x) / (p_data(x) + p_G(x)) \
        (Goodfellow et al. 2014, Proposition 1), and when p_G = p_data it is ½ everywhere. The game's own D is \
        never trained to its optimum (one step per generator step), so the proposition is tested apart: G is \
        frozen after \(counted(frozenAt, "generator step")), where its density is still far from the data's, and a \
        fresh D is trained alone against it for \(grouped(aloneSteps)) steps; D* is computed from the two densities.
        """)
    let frozenSnapshot = firstGame.snapshots.first { $0.step == frozenAt }!
    try notebook.figure(
        Figures.curves(
            [
                ("p_data", curve(dataDensity)), ("p_G, G frozen", curve(frozenSnapshot.generatorDensity.densities)),
                ("D* = p_data / (p_data + p_G)", curve(firstGame.optimalDiscriminator)),
                ("D trained alone", curve(firstGame.aloneDiscriminator)),
                ("the game's D at that step", curve(frozenSnapshot.discriminator)),
            ], xLabel: "x", yLabel: "density, or D's output",
            title: notebook.title("D trained against a frozen G beside D*", data: "two Gaussians"),
            axes: PlotAxes(markers: false)),
        "optimal-discriminator.png",
        caption: """
            G frozen after \(counted(frozenAt, "step")); D* from the data's density and G's histogram; a fresh D \
            trained alone for \(grouped(aloneSteps)) steps; the game's own D at that moment (the first seed).
            """)
    let optimalGap = Spread(lineGames.map(\.optimalGap)), halfGap = Spread(lineGames.map(\.halfGapEnd))
    notebook.verdict(
        claim: """
            For a fixed G the optimal discriminator is p_data / (p_data + p_G), and ½ once p_G = p_data (Goodfellow \
            et al. 2014, Proposition 1; lecture 003 states the game this optimum belongs to)
            """,
        outcome: optimalGap.mean < 0.05 ? .reproduced : (optimalGap.mean < 0.1 ? .partly : .notReproduced),
        evidence: """
            The D trained alone is within \(optimalGap.text(3)) of D* on average where either density lies (weighted \
            by (p_data + p_G) / 2; \(counted(seeds.count, "seed")); the page set 0.05 in advance). At the end of the \
            game the game's own D is within \(halfGap.text(3)) of ½ where the data lie, although G's density is still \
            \(tvEnd.text(3)) from the data's in total variation: D at ½ does not mean p_G = p_data, only that this \
            D, one step per generator step, no longer tells them apart.
            """)

    let ringSteps = 3_000 / scale
    notebook.section(
        "Mode collapse on a ring of eight Gaussians",
        """
        The standard demonstration of mode collapse (Metz et al. 2016): eight Gaussians (σ = 0.05) on a circle of \
        radius 2. G maps 8 normal numbers through 8-64-64-2, D reads a point through 2-64-64-1 (Adam 2e-4, as the \
        image GAN). A generator may chase one mode at a time: D learns where G's samples pile up, G moves \
        them to the next mode, and the data's other modes are never held at once. k = 5 gives D five steps per \
        generator step; both runs make \(grouped(ringSteps)) generator steps.
        """)
    let ring = GaussianMixture.ring()
    // Five seeds: a run either collapses or not, and three leave Student's t too wide to tell.
    let ringSeeds = notebook.seeds(5)
    let sampleCount = 2_500
    let ringMarks = [100, 500, 1_500, 3_000].map { $0 / scale }
    let ringRange = (-2.7, 2.7)
    struct RingRun: Codable { var snapshots: [[Float]], coverage: ModeCoverage }
    func ringGAN(k: Int, batchSpread: Bool, seed: UInt64) -> RingRun {
        let gan = toyGAN(dimension: 2, latent: 8, width: 64, k: k, batchSpread: batchSpread, seed: seed)
        var snapshots: [[Float]] = []
        play(gan, on: ring, steps: ringSteps, learningRate: 2e-4, seed: seed, marks: ringMarks) { _ in
            snapshots.append(generated(gan, 1_000, seed: seed &+ 5).scalars)
        }
        return RingRun(
            snapshots: snapshots,
            coverage: ModeCoverage(samples: generated(gan, sampleCount, seed: seed &+ 6), mixture: ring))
    }
    var dataDraws = SeededGenerator(seed: notebook.request.seed &+ 31)
    let ringData = Figures.points(ring.sample(1_000, generator: &dataDraws).scalars)
    let grey = Color(170, 170, 170)
    // One row of panels per run: the data in grey under the run's samples after each mark.
    func ringFigure(_ rows: [(name: String, run: RingRun)], file: String, title: String, caption: String) throws {
        try notebook.figure(
            Figures.sideBySide(
                rows.flatMap { row in
                    zip(ringMarks, row.run.snapshots).map { mark, samples in
                        (
                            "\(row.name), step \(grouped(mark))",
                            Figures.scatter(
                                [(ringData, grey), (Figures.points(samples), Color.categorical[0])], range: ringRange,
                                side: 260
                            )
                        )
                    }
                }, columns: ringMarks.count, title: notebook.title(title, data: "8 Gaussians on a ring, σ = 0.05")),
            file, caption: caption)
    }
    func coverageRow(_ name: String, _ runs: [RingRun]) -> (name: String, modes: Spread, quality: Spread) {
        (name, Spread(runs.map { Double($0.coverage.modesHeld) }), Spread(runs.map { $0.coverage.highQualityShare }))
    }
    // The reference no model should be confused with: points spread evenly along the circle, with
    // the modes' σ across it. A smear reads as "8 modes held" by the 0.8% rule.
    let smear = coverageRow(
        "reference: spread evenly along the ring (no modes)",
        ringSeeds.map { seed in
            var random = SeededGenerator(seed: seed &+ 41)
            return RingRun(
                snapshots: [],
                coverage: ModeCoverage(
                    samples: GaussianMixture.ringSmear(sampleCount, generator: &random), mixture: ring))
        })
    func coverageTable(_ rows: [(name: String, modes: Spread, quality: Spread)]) {
        notebook.table(
            ["model", "modes held (of 8)", "samples within 3σ of a centre"],
            (rows + [smear]).map { [$0.name, $0.modes.text(1), $0.quality.percent()] },
            caption: """
                \(grouped(sampleCount)) samples per run after \(grouped(ringSteps)) steps; a mode is held when at least \
                0.8% of the samples lie within 3σ of its centre (Lin et al. 2018's rule); mean ± standard deviation \
                over \(counted(ringSeeds.count, "seed")).
                """)
    }

    let defaultRuns = try ringSeeds.map { seed in
        try notebook.measured("ring|gan|\(seed)|\(ringSteps)") { ringGAN(k: 1, batchSpread: false, seed: seed) }
    }
    let kFiveRuns = try ringSeeds.map { seed in
        try notebook.measured("ring|k5|\(seed)|\(ringSteps)") { ringGAN(k: 5, batchSpread: false, seed: seed) }
    }
    try ringFigure(
        [("k = 1", defaultRuns[0]), ("k = 5", kFiveRuns[0])], file: "ring-collapse.png",
        title: "Samples over training, k = 1 and k = 5",
        caption:
            "1,000 samples (blue) over 1,000 data points (grey) after each number of generator steps (the first seed).")
    let (defaultRow, kFiveRow) = (coverageRow("GAN, k = 1", defaultRuns), coverageRow("GAN, k = 5", kFiveRuns))
    coverageTable([defaultRow, kFiveRow])
    notebook.verdict(
        claim:
            "A GAN's generator can collapse onto a few of the data's modes (Metz et al. 2016; Goodfellow 2016's tutorial)",
        outcome: defaultRow.modes.isClearlyBelow(8) || kFiveRow.modes.isClearlyBelow(8)
            ? .reproduced : (min(defaultRow.modes.mean, kFiveRow.modes.mean) < 8 ? .partly : .notReproduced),
        evidence: """
            After \(grouped(ringSteps)) generator steps the GAN holds \(defaultRow.modes.text(1)) of the 8 modes with \
            k = 1 and \(kFiveRow.modes.text(1)) with k = 5 (\(counted(ringSeeds.count, "seed"))); \
            \(defaultRow.quality.percent()) and \(kFiveRow.quality.percent()) of their samples lie within 3σ of a centre: \
            a collapsed generator's few modes are sharp, which is why the share alone would praise it.
            """)

    notebook.section(
        "A remedy: let D see the batch",
        """
        Collapse is a property of a batch, and a D that judges one sample at a time cannot see it: a batch of \
        identical, perfect-looking samples passes. Minibatch discrimination (Salimans et al. 2016) gives D a \
        view of the batch; its simplest form, the minibatch standard deviation (Karras et al. 2018), appends to \
        each sample's features the batch's mean feature spread, so a generator whose samples are too alike is \
        told apart. Chosen over a weaker D or a larger learning rate for D because it targets the cause, not the \
        balance of strengths. Tested where collapse happens: the k = 5 GAN above, with that one feature after \
        D's first layer.
        """)
    let spreadRuns = try ringSeeds.map { seed in
        try notebook.measured("ring|k5-spread|\(seed)|\(ringSteps)") { ringGAN(k: 5, batchSpread: true, seed: seed) }
    }
    try ringFigure(
        [("k = 5", kFiveRuns[0]), ("k = 5 + spread", spreadRuns[0])], file: "ring-remedy.png",
        title: "Samples over training, without and with the batch's spread in D",
        caption: "The same codes and data as above; the second row's D sees the batch's mean standard deviation.")
    let spreadRow = coverageRow("GAN, k = 5, D sees the batch's spread", spreadRuns)
    coverageTable([kFiveRow, spreadRow])
    notebook.verdict(
        claim: "Letting D see the batch (minibatch discrimination, Salimans et al. 2016) keeps more modes",
        // Holding a mode means samples on it, more than a smear along the ring puts there.
        outcome: kFiveRow.modes.isClearlyBelow(spreadRow.modes)
            ? (smear.quality.isClearlyBelow(spreadRow.quality) ? .reproduced : .partly)
            : (spreadRow.modes.mean > kFiveRow.modes.mean ? .partly : .notReproduced),
        evidence: """
            With k = 5 and the batch's spread in D the generator reaches \(spreadRow.modes.text(1)) modes by the 0.8% \
            rule against \(kFiveRow.modes.text(1)) without (\(counted(ringSeeds.count, "seed"))), with \
            \(spreadRow.quality.percent()) of samples within 3σ of a centre against \(kFiveRow.quality.percent()); \
            points spread evenly along the ring put \(smear.quality.percent()) there\
            \(smear.quality.isClearlyBelow(spreadRow.quality) ? ": the samples sit on the modes, not just around the ring" : ": the remedy stops the collapse, but its samples cover the ring as a smear would, not its modes").
            """)

    notebook.section(
        "The VAE on the ring: blur instead of collapse",
        """
        A VAE is trained by likelihood: every data point must be explained, so dropping a mode costs it, where a \
        GAN's generator pays nothing for a mode D has stopped asking about. Its price is the other failure: with \
        a Gaussian decoder of fixed variance (squared error: variance ½, σ ≈ 0.71, against the data's 0.05) and \
        a 2-number code whose prior is one blob, the decoder's means are smeared between modes; a smaller \
        decoder variance (or β) would blur less. 2-64-64-(2, 2) | 2-64-64-2, ReLU, β = 1, Adam 1e-3, \
        \(grouped(ringSteps)) steps on batches of 256; samples are the decoder's means for z ~ N(0, I).
        """)
    let vaeRuns = try ringSeeds.map { seed in
        try notebook.measured("ring|vae|\(seed)|\(ringSteps)") { () -> RingRun in
            let vae = VariationalAutoencoder(
                inputSize: 2, hiddenSizes: [64, 64], latentDimension: 2, reconstruction: .mse, seed: seed)
            let learner = Learner(vae, optimizer: Adam(learningRate: 1e-3))
            var random = SeededGenerator(seed: seed &+ 1)
            let batch = Tensor(zeros: Shape(batchSize, 2))
            func decoded(_ count: Int) -> Tensor {
                var codes = SeededGenerator(seed: seed &+ 5)
                let z = Tensor(zeros: Shape(count, 2))
                z.fillNormal(using: &codes)
                return vae.decoder(z).copy()
            }
            var snapshots: [[Float]] = []
            for step in 1...ringSteps {
                ring.fill(batch, generator: &random)
                learner.step(Batch(images: batch), generator: &random)
                if ringMarks.contains(step) { snapshots.append(decoded(1_000).scalars) }
            }
            return RingRun(snapshots: snapshots, coverage: ModeCoverage(samples: decoded(sampleCount), mixture: ring))
        }
    }
    try ringFigure(
        [("GAN", defaultRuns[0]), ("VAE", vaeRuns[0])], file: "ring-vae.png", title: "The GAN and the VAE on the ring",
        caption: "The VAE's decoded means for 1,000 codes from its prior, beside the GAN's samples (the first seed).")
    let vaeRow = coverageRow("VAE (decoder means)", vaeRuns)
    coverageTable([defaultRow, vaeRow])
    notebook.verdict(
        claim: "A VAE spreads over every mode but blurs between them, where a GAN is sharp but may drop modes",
        outcome: vaeRow.quality.isClearlyBelow(defaultRow.quality)
            ? (vaeRow.modes.mean >= defaultRow.modes.mean ? .reproduced : .partly) : .notReproduced,
        evidence: """
            The VAE reaches \(vaeRow.modes.text(1)) modes by the 0.8% rule (the GAN \(defaultRow.modes.text(1))), but \
            only \(vaeRow.quality.percent()) of its samples lie within 3σ of a centre against the GAN's \
            \(defaultRow.quality.percent()) and a smear's \(smear.quality.percent()) (\(counted(ringSeeds.count, "seed"))): \
            its samples fill the ring and the space inside it, which is what blur is on a ring.
            """)

    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "gan-toy-data"))
}
