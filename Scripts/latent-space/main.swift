// The latent space: where an autoencoder puts its codes, and why a VAE can be sampled from.
//   swift run latent-space            Fashion-MNIST, into Gallery/latent-space/ (reuses gen ae's and gen vae's models)
//   swift run latent-space --quick    synthetic digits, one epoch per model: seconds
import Foundation
import Lab

do {
    let notebook = try Notebook(
        "latent-space", title: "The latent space: maps, random codes, paths and single units",
        introduction: """
            An autoencoder's codes land wherever training happens to put them; a VAE's are pulled towards \
            a standard normal by its KL term. That difference decides what a random code decodes to. This \
            page looks at the codes themselves, samples from them, walks between them and turns one unit at a time.
            """, order: 2)
    let data = try notebook.data()
    let test = data.test
    let epochs = notebook.epochs(10)
    let layout = ImageLayout(of: test)
    let midpointCount = notebook.size(2_000, quick: 200)
    // The default AE and VAE: the models `gen ae` and `gen vae` train (and cache) with the same seed.
    let (autoencoder, aeResult) = try notebook.train(.ae, ModelKind.ae.defaultSettings, epochs: epochs)
    let (vae, vaeResult) = try notebook.train(.vae, ModelKind.vae.defaultSettings, epochs: epochs)
    let seeds = notebook.seeds(3)
    let judge = try notebook.judge()
    notebook.uses("the AE's page", "../ae/index.html")
    notebook.uses("the VAE's page", "../vae/index.html")
    notebook.uses("the 2-D VAE explorer", "../vae-2d/explore.html")
    notebook.uses("the 2-D AE explorer", "../ae-2d/explore.html")

    notebook.section(
        "Codes of two numbers",
        """
        The same AE and VAE with codes of 2 numbers, so the codes can be drawn as they are: \
        \(grouped(min(5_000, test.count))) test images, coloured by class. One number says how far a cloud of codes is from the \
        prior N(0, I) the VAE samples from: the KL divergence of a Gaussian fitted to the codes (mean m, \
        covariance S), ½ (tr S + mᵀm − 2 − ln det S), 0 when the codes sit like N(0, I), with a bootstrap \
        standard error over the test images.
        """)
    var flatAE = ModelKind.ae.defaultSettings, flatVAE = ModelKind.vae.defaultSettings
    (flatAE.latentDimension, flatVAE.latentDimension) = (2, 2)
    // KL(N(m, S) ‖ N(0, I)) for 2-D codes (rows of `points`): ½ (tr S + mᵀm − 2 − ln det S).
    func klFromPrior(_ points: Tensor) -> Double {
        let n = Double(points.shape[0])
        let m = (0..<2).map { j in (0..<points.shape[0]).reduce(0.0) { $0 + Double(points[$1, j]) } / n }
        var s = [[0.0, 0.0], [0.0, 0.0]]
        for i in 0..<points.shape[0] {
            let d = (0..<2).map { Double(points[i, $0]) - m[$0] }
            for a in 0..<2 { for b in 0..<2 { s[a][b] += d[a] * d[b] / (n - 1) } }
        }
        let determinant = s[0][0] * s[1][1] - s[0][1] * s[1][0]
        return 0.5 * (s[0][0] + s[1][1] + m[0] * m[0] + m[1] * m[1] - 2 - log(determinant))
    }
    let maps = try [("Autoencoder", flatAE, ModelKind.ae), ("VAE", flatVAE, ModelKind.vae)].map {
        name, settings, kind in
        let model = try notebook.train(kind, settings, epochs: epochs).model
        let map = model.latentMap(test)!
        let kl = Spread.bootstrap(count: map.points.shape[0], resamples: 100, seed: notebook.request.seed) {
            klFromPrior(map.points.rows($0))
        }
        return (name: name, map: map, kl: kl)
    }
    try notebook.figure(
        Figures.sideBySide(
            maps.map { panel in
                (
                    "",
                    Figures.latentMap(
                        panel.map.points, labels: panel.map.labels, classNames: test.classNames,
                        axisNames: ("z₁", "z₂"),
                        title: notebook.title("\(panel.name): test codes"))
                )
            }, title: notebook.title("Two-number codes of test images")), "latent-maps.png",
        caption:
            "Where each model puts \(grouped(min(5_000, test.count))) test images in its 2-number code, coloured by class."
    )
    let spreads = maps.map { panel -> [String] in
        let (mean, spread) = (panel.map.points.mean(alongAxis: 0), panel.map.points.variance(alongAxis: 0).squareRoot())
        return [panel.name] + (0..<2).flatMap { j in [fixed(mean[j], 2), fixed(spread[j], 2)] } + [panel.kl.text(2)]
    }
    notebook.table(
        ["model", "mean z₁", "spread z₁", "mean z₂", "spread z₂", "KL of the codes' Gaussian from N(0, I), nats"],
        spreads,
        caption: """
            Mean and standard deviation of each code unit over the test images (a standard normal has 0 and 1), and \
            the KL of the fitted Gaussian from N(0, I), ± its bootstrap standard error.
            """)
    let (aeKL, vaeKL) = (maps[0].kl, maps[1].kl)
    notebook.verdict(
        claim:
            "The KL term “encourages encodings to be distributed evenly around the center of the latent space” (lecture 002)",
        outcome: vaeKL.isClearlyBelow(aeKL) && vaeKL.mean < 0.5
            ? .reproduced : (vaeKL.isClearlyBelow(aeKL) ? .partly : .notReproduced),
        evidence: """
            The VAE's codes are \(vaeKL.text(2)) nats from N(0, I), the plain autoencoder's \(aeKL.text(2))\
            \(vaeKL.isClearlyBelow(aeKL) ? ": only the VAE's codes sit where its prior will draw from" : "").
            """)

    notebook.section(
        "Random codes: the autoencoder against the VAE",
        """
        Sampling needs a distribution to draw codes from. For the plain AE (32 numbers) the lecture's \
        recipe is uniform between each unit's smallest and largest training code; the VAE (20 numbers) \
        draws from its prior N(0, I). The judge (a convolutional classifier of the labels, `gen judge`) \
        scores the samples against real images.
        """)
    var random = SeededGenerator(seed: notebook.request.seed)
    let sampled: [(name: String, images: Tensor)] = [
        ("Autoencoder", autoencoder.sample(count: 64, generator: &random)),
        ("VAE", vae.sample(count: 64, generator: &random)),
    ]
    try notebook.sampleGrids(
        sampled, "random-codes.png", title: "Decoded random codes",
        caption: "64 samples of each: the AE's uniform codes, the VAE's prior draws.")
    let (aeScores, vaeScores) = (try notebook.scores(autoencoder, aeResult), try notebook.scores(vae, vaeResult))
    try notebook.scoreTable([("Autoencoder", [], aeScores), ("VAE", [], vaeScores)])
    notebook.verdict(
        claim: "“Basic AEs are not appropriate for image generation”; a VAE's prior draws are (lecture 001, 002)",
        outcome: vaeScores.frechetDistance.isClearlyBelow(aeScores.frechetDistance)
            ? (aeScores.density.isClearlyBelow(vaeScores.density) ? .reproduced : .partly)
            : (aeScores.frechetDistance.isClearlyBelow(vaeScores.frechetDistance) ? .notReproduced : .partly),
        evidence: """
            The judge puts the autoencoder's random codes at Fréchet distance \(aeScores.frechetDistance.text(1)) \
            against the VAE's \(vaeScores.frechetDistance.text(1)), and density \(aeScores.density.text(2)) against \
            \(vaeScores.density.text(2))\(vaeScores.frechetDistance.isClearlyBelow(aeScores.frechetDistance) ? ": a uniform box around the AE's codes holds mostly places no image was encoded to" : ""). (Its recall, \(aeScores.recall.text(2)) against \(vaeScores.recall.text(2)), rewards \
            scattered garbage: see the table's caption.)
            """)

    notebook.section(
        "Between two codes",
        """
        Encode two test images, walk in a straight line between their codes, decode every step. \
        The same pairs for both models; the framed ends decode the endpoints themselves. To put a number \
        on it, the judge scores the halfway points of \(grouped(midpointCount)) random pairs of test images: \
        a regular space decodes them to something like clothes.
        """)
    for (name, model) in [("Autoencoder", autoencoder), ("VAE", vae)] {
        var pairs = SeededGenerator(seed: notebook.request.seed)  // the same test images for both
        let path = model.interpolation(rows: 4, steps: 10, path: .linear, test: test, generator: &pairs)
        let figure = Figures.interpolation(
            path.images, endpoints: path.endpoints, rows: path.rows, steps: path.steps, layout: layout,
            title: notebook.title("\(name): linear paths between test images"))
        try notebook.figure(
            figure, "paths-\(model.name).png",
            caption: "\(name): decoded codes along straight lines between two test images' codes.")
    }

    // The code halfway between two test images' codes (the VAE's means), decoded: `draw`'s pairs.
    func midpoints(_ model: any GenerativeModel, draw: UInt64) -> Tensor {
        var random = SeededGenerator(seed: notebook.request.seed &+ 100 &+ draw)
        let pick = { (0..<midpointCount).map { _ in Int.random(in: 0..<test.count, using: &random) } }
        let (a, b) = (model.encode(test.images(pick()))!, model.encode(test.images(pick()))!)
        return model.decode(0.5 * (a + b))
    }
    let halfway = try [("Autoencoder", autoencoder, aeResult), ("VAE", vae, vaeResult)].map { name, model, result in
        let scores = try notebook.measured("midpoints|\(result.identity)|\(midpointCount)") {
            (0..<3).map { draw in
                judge.evaluate(
                    midpoints(model, draw: UInt64(draw)), training: data.train, test: test, memorisationCount: 0
                )
                .frechetDistance
            }
        }
        return (name: name, fd: Spread(scores))
    }
    notebook.table(
        ["model", "Fréchet distance of halfway points ↓"], halfway.map { [$0.name, $0.fd.text(1)] },
        caption:
            "\(grouped(midpointCount)) halfway points against the test images, mean ± standard deviation over 3 draws of pairs."
    )
    notebook.verdict(
        claim:
            "An autoencoder's latent space “can be extremely irregular”; the KL term “keeps the encoding continuous” (lecture 002)",
        outcome: halfway[1].fd.isClearlyBelow(halfway[0].fd)
            ? .reproduced : (halfway[0].fd.isClearlyBelow(halfway[1].fd) ? .notReproduced : .partly),
        evidence: """
            Halfway between two test images the VAE decodes to images at Fréchet distance \(halfway[1].fd.text(1)) \
            from real ones, the autoencoder to \(halfway[0].fd.text(1))\
            \(halfway[1].fd.mean > halfway[0].fd.mean ? ": between the codes of real images the autoencoder's space is no more irregular by this measure; where it fails is away from them (the random codes above)" : "").
            """)

    notebook.section(
        "One code unit at a time",
        """
        Encode one test image, change one unit of its code across its range (the prior's 2.5% to \
        97.5% quantiles for the VAE; the training codes' range for the AE), decode. Units are ranked by \
        how much they vary across test images: a VAE switches units off (their codes stay at the prior \
        and the decoder ignores them), so only its busiest units are shown.
        """)
    let probe = test.images([test.labels.firstIndex(of: 0) ?? 0])
    for (name, model) in [("Autoencoder", autoencoder), ("VAE", vae)] {
        let variance = model.encode(test.images(Array(0..<min(2_000, test.count))))!.variance(alongAxis: 0).scalars
        let busiest = Array(variance.indices.sorted { variance[$0] > variance[$1] }.prefix(6))
        let sweep = model.traversal(of: model.encode(probe)!, units: busiest, steps: 10)
        let rows = busiest.enumerated().map { row, unit in
            ("z\(unit) (var \(fixed(variance[unit], 2)))", sweep.rows((row * 10)..<(row * 10 + 10)))
        }
        try notebook.images(
            rows, "units-\(model.name).png", title: "\(name): one code unit at a time",
            caption: """
                \(name): each row changes one unit of the probe image's code, the rest held; the units that vary most \
                over test images.
                """)
    }
    // Active units: the code's variance over 2,000 test images above 0.01 (Burda et al. 2016).
    let active = try [(ModelKind.ae, "Autoencoder"), (.vae, "VAE")].map { kind, name in
        let counts = try seeds.map { seed in
            let model = try notebook.train(kind, kind.defaultSettings, epochs: epochs, seed: seed).model
            let variance = model.encode(test.images(Array(0..<min(2_000, test.count))))!.variance(alongAxis: 0).scalars
            return Double(variance.filter { $0 > 0.01 }.count)
        }
        return (name: name, units: Spread(counts))
    }
    notebook.table(
        ["model", "code units", "active units"],
        [["Autoencoder", "32", active[0].units.text(1)], ["VAE", "20", active[1].units.text(1)]],
        caption:
            "Units whose code varies across 2,000 test images (variance above 0.01), mean ± standard deviation over seeds."
    )
    notebook.verdict(
        claim: """
            Changing one code unit changes the image, but “we do not control what features are learned” (lecture 001); \
            the VAE's KL term switches unneeded units off (Burda et al. 2016)
            """,
        outcome: active[1].units.isClearlyBelow(20)
            ? .reproduced : (active[1].units.mean < 20 ? .partly : .notReproduced),
        evidence: """
            The rows above show what each unit changes; nothing in training asked any unit to mean one thing. The \
            autoencoder uses \(active[0].units.text(1)) of its 32 units, the VAE only \
            \(active[1].units.text(1)) of its 20 (\(counted(seeds.count, "seed"))).
            """)

    notebook.section(
        "Different seeds, different features",
        """
        The lecture says it of the features the bottleneck keeps: the code's units. The autoencoders of the last \
        section, trained from \(counted(max(seeds.count, 2), "seed")) with everything else equal: each of the 32 code units \
        of one run is paired one to one with a unit of another so that the pairs' correlations over 2,000 test \
        images add up to the most (the Hungarian method); the first layer's 512 units are paired the same way by \
        their weights, each a 28 × 28 filter you can look at. Had the runs learned the same features in another \
        order, every pair would correlate near 1; the same seed trained twice gives exactly the same ones (gen is \
        deterministic).
        """)
    // Pairs need two runs: with --quick (one seed above) a second is trained here.
    let pairSeeds = seeds.count > 1 ? seeds : [seeds[0], seeds[0] &+ 1]
    // Each unit's weights standardised (mean 0, norm 1): the product of two is their correlation.
    let firstLayers = try pairSeeds.map { seed -> (filters: Tensor, testLoss: Double) in
        let (model, result) = try notebook.train(.ae, ModelKind.ae.defaultSettings, epochs: epochs, seed: seed)
        let w = ((model as! Autoencoder).encoder as! Sequential).layers[0] as! Dense
        let filters = w.weight.value.copy()
        let inputs = filters.shape[1]
        for unit in 0..<filters.shape[0] {
            let row = UnsafeMutableBufferPointer(start: filters.data + unit * inputs, count: inputs)
            let mean = row.reduce(0, +) / Float(inputs)
            for i in row.indices { row[i] -= mean }
            let norm = max(row.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
            for i in row.indices { row[i] /= norm }
        }
        return (filters, result.last(.testLoss) ?? .nan)
    }
    struct Matching: Codable { var pairs: [Int], correlations: [Double] }
    let matchings = try (1..<pairSeeds.count).map { other in
        try notebook.measured("first-layer matching|\(pairSeeds[0])|\(pairSeeds[other])") { () -> Matching in
            let c = matmul(firstLayers[0].filters, firstLayers[other].filters, transposeB: true)
            let scores = (0..<c.shape[0]).map { i in (0..<c.shape[1]).map { j in Double(c[i, j]) } }
            let pairs = Assignment.maximising(scores)
            return Matching(pairs: pairs, correlations: pairs.indices.map { scores[$0][pairs[$0]] })
        }
    }
    if let first = matchings.first {
        // Twelve pairs from the best matched to the worst, evenly along the ranking.
        let ranked = first.correlations.indices.sorted { first.correlations[$0] > first.correlations[$1] }
        let shown = (0..<12).map { ranked[$0 * (ranked.count - 1) / 11] }
        func picture(_ filters: Tensor, _ units: [Int]) -> Tensor {
            let inputs = filters.shape[1]
            let images = Tensor(zeros: Shape(units.count, inputs))
            for (k, unit) in units.enumerated() {
                let row = (0..<inputs).map { filters[unit, $0] }
                let scale = max(row.map(abs).max() ?? 1, 1e-12)
                for i in 0..<inputs { images[k, i] = 0.5 + 0.5 * row[i] / scale }
            }
            return images
        }
        try notebook.images(
            [
                ("seed \(pairSeeds[0])", picture(firstLayers[0].filters, shown)),
                ("seed \(pairSeeds[1]), paired", picture(firstLayers[1].filters, shown.map { first.pairs[$0] })),
            ], "filters-two-seeds.png", title: "First-layer filters of two seeds, paired",
            caption: """
                Grey is 0, light positive, dark negative. Columns from the best-matched pair to the worst; their \
                correlations: \(shown.map { fixed(first.correlations[$0], 2) }.joined(separator: ", ")).
                """)
    }
    // Some units keep their random start (speckle in the figure): a unit has learned a feature when
    // its weights are smooth, neighbouring pixels correlating above 0.2 (i.i.d. noise gives 0 ± 0.04).
    func learned(_ filters: Tensor, _ unit: Int) -> Bool {
        let side = Int(Double(filters.shape[1]).squareRoot())
        var neighbours = 0.0
        for r in 0..<side {
            for c in 0..<(side - 1) {
                neighbours += Double(filters[unit, r * side + c] * filters[unit, r * side + c + 1])
            }
        }
        return neighbours > 0.2  // the filter is standardised: Σ w² = 1
    }
    // Over the pairs whose two units both learned a feature.
    let learnedPairs = zip(matchings, firstLayers.dropFirst()).map { m, other in
        m.pairs.indices.filter { learned(firstLayers[0].filters, $0) && learned(other.filters, m.pairs[$0]) }
            .map { m.correlations[$0] }
    }
    // The code units, paired by their activations' correlation over test images.
    let probeImages = test.images(Array(0..<min(2_000, test.count)))
    let codeMatchings = try (1..<pairSeeds.count).map { other in
        try notebook.measured("code matching|\(pairSeeds[0])|\(pairSeeds[other])") { () -> Matching in
            // Each unit's activations standardised over the images (columns of mean 0, norm 1).
            func standardisedCodes(_ seed: UInt64) throws -> Tensor {
                let model = try notebook.train(.ae, ModelKind.ae.defaultSettings, epochs: epochs, seed: seed).model
                let codes = model.encode(probeImages)!
                let (n, units) = (codes.shape[0], codes.shape[1])
                for unit in 0..<units {
                    let column = (0..<n).map { codes[$0, unit] }
                    let mean = column.reduce(0, +) / Float(n)
                    let norm = max(column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }.squareRoot(), 1e-12)
                    for i in 0..<n { codes[i, unit] = (codes[i, unit] - mean) / norm }
                }
                return codes
            }
            let c = matmul(
                try standardisedCodes(pairSeeds[0]), transposeA: true, try standardisedCodes(pairSeeds[other]))
            let scores = (0..<c.shape[0]).map { i in (0..<c.shape[1]).map { j in Double(c[i, j]) } }
            let pairs = Assignment.maximising(scores)
            return Matching(pairs: pairs, correlations: pairs.indices.map { scores[$0][pairs[$0]] })
        }
    }
    let codeCorrelation = Spread(codeMatchings.map { m in m.correlations.reduce(0, +) / Double(m.correlations.count) })
    let codeCopies = Spread(
        codeMatchings.map { m in Double(m.correlations.filter { $0 > 0.9 }.count) / Double(m.correlations.count) })
    let learnedShare = Spread(learnedPairs.map { Double($0.count) / Double(firstLayers[0].filters.shape[0]) })
    let nearCopies = Spread(learnedPairs.map { p in Double(p.filter { $0 > 0.9 }.count) / Double(max(p.count, 1)) })
    let meanCorrelation = Spread(learnedPairs.map { p in p.reduce(0, +) / Double(max(p.count, 1)) })
    let allCorrelation = Spread(matchings.map { m in m.correlations.reduce(0, +) / Double(m.correlations.count) })
    let losses = Spread(firstLayers.map(\.testLoss))
    notebook.table(
        ["", "value"],
        [
            ["pairs of runs compared", "\(matchings.count) (seed \(pairSeeds[0]) against each other)"],
            ["mean correlation of paired code units (32)", codeCorrelation.text(2)],
            ["code units pairing above 0.9", codeCopies.percent()],
            ["mean correlation of paired first-layer filters, all 512", allCorrelation.text(2)],
            ["pairs where both units learned a feature", learnedShare.percent()],
            ["their mean correlation", learnedPairs.allSatisfy(\.isEmpty) ? "none" : meanCorrelation.text(2)],
            [
                "of those, pairs correlating above 0.9",
                learnedPairs.allSatisfy(\.isEmpty) ? "none" : nearCopies.percent(),
            ],
            ["test loss of the runs (BCE per image)", losses.text(1)],
        ],
        caption: """
            A unit has learned a feature when neighbouring weights correlate above 0.2 (a unit left at its random \
            start gives 0). Mean ± standard deviation over the pairs of runs (the losses: over the runs).
            """)
    notebook.verdict(
        claim:
            "“Re-training with different random seeds may learn different features due to randomness of SGD” (lecture 001)",
        outcome: codeMatchings.isEmpty ? .partly : (codeCopies.mean < 0.5 ? .reproduced : .notReproduced),
        evidence: """
            Paired as well as they can be, the code units of two seeds correlate \(codeCorrelation.text(2)) on average \
            over test images, and \(codeCopies.percent()) of the pairs above 0.9; the first-layer filters that learned \
            a feature in both runs correlate \(learnedPairs.allSatisfy(\.isEmpty) ? "(none did)" : meanCorrelation.text(2)). \
            The runs' test losses are \(losses.text(1)) BCE per image \
            (\(fixed(100 * losses.standardDeviation / losses.mean, 2))% apart): \
            \(losses.standardDeviation / losses.mean < 0.01 ? "the same quality from different features" : "different features, and a different quality").
            """)

    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "latent-space"))
}
