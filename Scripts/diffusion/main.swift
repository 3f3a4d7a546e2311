// The fourth family: a denoising autoencoder trained at every noise level, sampled by denoising
// pure noise step by step (Ho et al. 2020, DDPM; Song et al. 2021, DDIM).
//   swift run diffusion            Fashion-MNIST, into Gallery/diffusion/ (trains the U-Net: minutes)
//   swift run diffusion --quick    synthetic digits, one epoch, few samples: seconds
import Foundation
import Lab

do {
    let notebook = try Notebook(
        "diffusion", title: "Diffusion: one denoiser at every noise level",
        introduction: """
            A denoising autoencoder learns to undo one level of noise. A diffusion model learns to undo every level, \
            from a trace of noise to pure noise, with one network told the level; a sample is then pure noise \
            denoised step by step. This page builds that from the forward process up, on Fashion-MNIST (pixels \
            scaled to [−1, 1]) and on the ring of eight Gaussians of the GAN's page.
            """, order: 8)
    notebook.uses("the DCGAN, the family's rival for sharp samples", "../dcgan/index.html")
    notebook.uses("The GAN game on toy data (the same ring)", "../gan-toy-data/index.html")
    notebook.uses("Regularised autoencoders (the denoising AE)", "../regularized-autoencoders/index.html")
    let data = try notebook.data()
    let seeds = notebook.seeds(3)
    let ringSeeds = notebook.seeds(5)
    let ringSteps = notebook.size(5_000, quick: 500), ringSamples = notebook.size(2_500, quick: 500)
    let ringRange = (-2.7, 2.7)
    let unetEpochs = notebook.epochs(5)
    // Every sampler and family is scored on the same number of images: 1,000 network passes an
    // image make the ancestral sampler the page's cost, so fewer images than `scoredCount`.
    let samplerCount = notebook.size(250, quick: 16), samplerDraws = Notebook.scoreDraws
    let schedules = NoiseSchedule.Kind.allCases.map { NoiseSchedule($0, steps: 1_000) }
    // Pixels in [−1, 1] (the model's range) back to [0, 1] for drawing, clipped.
    func pixels(_ x: Tensor) -> Tensor { x.map { min(max(($0 + 1) / 2, 0), 1) } }
    // Tensors of one width, their rows one under another.
    func stacked(_ parts: [Tensor]) -> Tensor {
        Tensor(
            shape: Shape(parts.reduce(0) { $0 + $1.shape[0] }, parts[0].shape.countPerItem),
            values: parts.flatMap(\.scalars))
    }

    notebook.section(
        "The forward process and its closed form",
        """
        The lecture's denoising autoencoder trains on x + u, “a projection from a neighborhood of our training data \
        back onto the training data” (lecture 002). Diffusion fixes how the neighbourhood grows: T = 1,000 small \
        steps q(x_t | x_{t−1}) = N(√(1 − β_t) x_{t−1}, β_t I), β_t rising from 1e-4 to 0.02 (linear, Ho et al. \
        2020) or set so that ᾱ_t falls along a cosine (Nichol & Dhariwal 2021). Because each step is Gaussian, \
        the T steps compose into one: q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I) with ᾱ_t = Π (1 − β_s), so \
        training jumps to any t in one draw. Below, one test image at t = 0, 100, …, 1,000 under both \
        schedules (the same ε); then the closed form checked against the chain of single steps.
        """)
    let levels = Array(stride(from: 0, through: 1_000, by: 100))
    let clean = data.test.images([0], range: .symmetric)
    var figureNoise = SeededGenerator(seed: notebook.request.seed)
    let epsilon = Tensor.normal(clean.shape, using: &figureNoise)
    func noised(_ schedule: NoiseSchedule, at t: Int) -> Tensor {
        let xt = Tensor(zeros: clean.shape)
        schedule.noise(clean, at: [t], with: epsilon, into: xt)
        return xt
    }
    try notebook.images(
        schedules.map { schedule in
            (
                label: schedule.kind.rawValue,
                images: stacked(levels.map { pixels(noised(schedule, at: $0)) })
            )
        }, "forward-process.png", title: "x_t for t = 0, 100, …, 1,000",
        caption: """
            x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε for one test image and one ε, at t = 0, 100, …, 1,000 (left to \
            right; pixels clipped to [−1, 1] for drawing). √ᾱ_t, the share of the image left: linear \
            \(levels.map { fixed(schedules[0].alphaBar($0).squareRoot(), 2) }.joined(separator: ", ")); cosine \
            \(levels.map { fixed(schedules[1].alphaBar($0).squareRoot(), 2) }.joined(separator: ", ")).
            """)
    // The chain of single steps from the same x_0, `chains` times: at each checked t, the numbers
    // z = (x_t − √ᾱ_t x_0) / √(1 − ᾱ_t) over every chain and pixel should be N(0, 1).
    let chains = notebook.size(64, quick: 16)
    let checked = [10, 100, 500, 1_000]
    struct ChainCheck: Codable { var meanOfZ: [Double], varianceOfZ: [Double] }
    let chainChecks = try schedules.map { schedule in
        try seeds.map { seed in
            try notebook.measured("chain|\(schedule.kind.rawValue)|\(seed)|\(chains)") { () -> ChainCheck in
                var random = SeededGenerator(seed: seed &+ 31)
                let size = clean.count
                var x = (0..<chains).flatMap { _ in clean.scalars.map(Double.init) }
                var check = ChainCheck(meanOfZ: [], varianceOfZ: [])
                for t in 1...schedule.steps {
                    let beta = schedule.betas[t - 1], keep = (1 - beta).squareRoot(), spread = beta.squareRoot()
                    for i in x.indices { x[i] = keep * x[i] + spread * Double(random.nextNormal()) }
                    guard checked.contains(t) else { continue }
                    let a = schedule.alphaBar(t)
                    let z = x.indices.map { i in
                        (x[i] - a.squareRoot() * Double(clean.data[i % size])) / (1 - a).squareRoot()
                    }
                    let mean = z.reduce(0, +) / Double(z.count)
                    check.meanOfZ.append(mean)
                    check.varianceOfZ.append(z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(z.count - 1))
                }
                return check
            }
        }
    }
    notebook.table(
        ["schedule", "t", "√ᾱ_t", "mean of z (0 by the closed form)", "variance of z (1 by the closed form)"],
        zip(schedules, chainChecks).flatMap { schedule, runs in
            checked.enumerated().map { k, t in
                [
                    schedule.kind.rawValue, grouped(t), fixed(schedule.alphaBar(t).squareRoot(), 4),
                    Spread(runs.map { $0.meanOfZ[k] }).text(4), Spread(runs.map { $0.varianceOfZ[k] }).text(4),
                ]
            }
        },
        caption: """
            \(grouped(chains)) chains of t single steps from the image above, z = (x_t − √ᾱ_t x_0) / √(1 − ᾱ_t) over \
            every chain and pixel (\(grouped(chains * clean.count)) numbers); mean ± standard deviation over \
            \(counted(seeds.count, "seed")) of the chains' noise.
            """)
    let worstVariance =
        chainChecks.flatMap { runs in checked.indices.map { k in Spread(runs.map { $0.varianceOfZ[k] }) } }
        .max { abs($0.mean - 1) < abs($1.mean - 1) }!
    let worstMean =
        chainChecks.flatMap { runs in checked.indices.map { k in Spread(runs.map { $0.meanOfZ[k] }) } }
        .max { abs($0.mean) < abs($1.mean) }!
    // Sampling error alone of a variance over n numbers is about √(2/n): the bar is five of them.
    let tolerance = 5 * (2 / Double(chains * clean.count)).squareRoot()
    notebook.verdict(
        claim:
            "The T noising steps compose into one Gaussian, q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I) (Ho et al. 2020, eq. 4)",
        outcome: abs(worstVariance.mean - 1) < tolerance && abs(worstMean.mean) < tolerance
            ? .reproduced : .notReproduced,
        evidence: """
            Over both schedules and t = \(checked.map(grouped).joined(separator: ", ")), the chain's standardised numbers \
            have a variance at worst \(worstVariance.text(4)) and a mean at worst \(worstMean.text(4)), within \
            \(fixed(tolerance, 4)) of 1 and 0 (five times the sampling error of \(grouped(chains * clean.count)) \
            numbers; \(counted(seeds.count, "seed"))). At t = 1,000 the image's share √ᾱ_T is \
            \(fixed(schedules[0].alphaBar(1_000).squareRoot(), 4)) (linear) and \
            \(fixed(schedules[1].alphaBar(1_000).squareRoot(), 4)) (cosine): x_T is noise, which is why sampling may \
            start from N(0, I).
            """)

    notebook.section(
        "On the ring of eight Gaussians: every mode",
        """
        The GAN's page shows a generator collapsing onto a few of the ring's eight modes: its loss never asks it \
        to cover a mode the discriminator has stopped checking. A diffusion model's loss is a denoising error \
        on every training point at every noise level (a reweighted variational bound on the likelihood, Ho et al. \
        2020), so a dropped mode costs it. The same ring (radius 2, σ = 0.05, fresh batches of 256), a denoiser of 2 + 16 \
        (the time) → 128 → 128 → 2 (SiLU), T = 1,000 (linear β), Adam 2e-3 for \(grouped(ringSteps)) steps; \
        samples by ancestral sampling (1,000 steps) and by DDIM (50 steps) from the same x_T.
        """)
    let ring = GaussianMixture.ring()
    struct RingRun: Codable {
        var ancestral: [Float], deterministic: [Float], ancestralModes: ModeCoverage, deterministicModes: ModeCoverage
    }
    let ringRuns = try ringSeeds.map { seed in
        try notebook.measured("ring|\(seed)|\(ringSteps)|\(ringSamples)") { () -> RingRun in
            let model = DiffusionModel(
                denoiser: MLPDenoiser(dimension: 2, hiddenSizes: [128, 128], embeddingSize: 16, seed: seed),
                schedule: NoiseSchedule(.linear, steps: 1_000), dimension: 2, imagesInSymmetricRange: false,
                samplingSteps: 50)
            let learner = Learner(model, optimizer: Adam(learningRate: 2e-3))
            var random = SeededGenerator(seed: seed &+ 1)
            let batch = Tensor(zeros: Shape(256, 2))
            for _ in 0..<ringSteps {
                ring.fill(batch, generator: &random)
                learner.step(Batch(images: batch), generator: &random)
            }
            var codes = SeededGenerator(seed: seed &+ 5)
            let start = Tensor.normal(Shape(ringSamples, 2), using: &codes)
            let ancestral = model.denoiseAncestrally(start, generator: &codes)
            let deterministic = model.denoiseDeterministically(start, steps: 50)
            return RingRun(
                ancestral: ancestral.scalars, deterministic: deterministic.scalars,
                ancestralModes: ModeCoverage(samples: ancestral, mixture: ring),
                deterministicModes: ModeCoverage(samples: deterministic, mixture: ring))
        }
    }
    var ringDraws = SeededGenerator(seed: notebook.request.seed &+ 31)
    let ringData = ring.sample(ringSamples, generator: &ringDraws)
    let grey = Color(170, 170, 170)
    try notebook.figure(
        Figures.sideBySide(
            [
                (
                    "the data",
                    Figures.scatter([(Figures.points(ringData.scalars), Color.categorical[2])], range: ringRange)
                ),
                (
                    "ancestral, 1,000 steps",
                    Figures.scatter(
                        [
                            (Figures.points(ringData.scalars), grey),
                            (Figures.points(ringRuns[0].ancestral), Color.categorical[0]),
                        ],
                        range: ringRange)
                ),
                (
                    "DDIM, 50 steps",
                    Figures.scatter(
                        [
                            (Figures.points(ringData.scalars), grey),
                            (Figures.points(ringRuns[0].deterministic), Color.categorical[0]),
                        ],
                        range: ringRange)
                ),
            ], columns: 3,
            title: notebook.title("Diffusion samples on the ring", data: "8 Gaussians on a ring, σ = 0.05")),
        "ring.png",
        caption:
            "\(grouped(ringSamples)) samples of the first seed's model over the data in grey; the two samplers start from the same x_T."
    )
    func coverageRow(_ name: String, _ coverages: [ModeCoverage]) -> (name: String, modes: Spread, quality: Spread) {
        (name, Spread(coverages.map { Double($0.modesHeld) }), Spread(coverages.map(\.highQualityShare)))
    }
    let ancestralRow = coverageRow("diffusion, ancestral (1,000 steps)", ringRuns.map(\.ancestralModes))
    let deterministicRow = coverageRow("diffusion, DDIM (50 steps)", ringRuns.map(\.deterministicModes))
    let dataRow = coverageRow(
        "the data itself",
        ringSeeds.map { seed in
            var random = SeededGenerator(seed: seed &+ 43)
            return ModeCoverage(samples: ring.sample(ringSamples, generator: &random), mixture: ring)
        })
    let smearRow = coverageRow(
        "reference: spread evenly along the ring (no modes)",
        ringSeeds.map { seed in
            var random = SeededGenerator(seed: seed &+ 41)
            return ModeCoverage(samples: GaussianMixture.ringSmear(ringSamples, generator: &random), mixture: ring)
        })
    notebook.table(
        ["samples", "modes held (of 8)", "samples within 3σ of a centre"],
        [ancestralRow, deterministicRow, dataRow, smearRow].map { [$0.name, $0.modes.text(1), $0.quality.percent()] },
        caption: """
            \(grouped(ringSamples)) samples per run; a mode is held when at least 0.8% of the samples lie within 3σ of \
            its centre (the GAN page's rule); mean ± standard deviation over \(counted(ringSeeds.count, "seed")).
            """)
    let everyMode = ringRuns.allSatisfy { $0.ancestralModes.modesHeld == 8 && $0.deterministicModes.modesHeld == 8 }
    let onModes =
        smearRow.quality.isClearlyBelow(ancestralRow.quality)
        && smearRow.quality.isClearlyBelow(deterministicRow.quality)
    notebook.verdict(
        claim:
            "A diffusion model, trained to denoise every training point, covers every mode of the data: no mode collapse",
        outcome: everyMode && onModes ? .reproduced : (everyMode || onModes ? .partly : .notReproduced),
        evidence: """
            Modes held: \(ancestralRow.modes.text(1)) by ancestral sampling and \(deterministicRow.modes.text(1)) by DDIM \
            (\(counted(ringSeeds.count, "seed"))); \(ancestralRow.quality.percent()) and \(deterministicRow.quality.percent()) \
            of the samples lie within 3σ of a centre, against \(dataRow.quality.percent()) for the data and \
            \(smearRow.quality.percent()) for a smear along the ring (which also passes the 0.8% rule for all eight): \
            the samples sit on the modes\(onModes ? "" : " less often than the smear test asks").
            """)

    notebook.section(
        "One denoiser at every noise level: the training loss",
        """
        A denoising autoencoder at one noise level, told nothing else, would have to guess the level; here the \
        network is told t. Training (Ho et al. 2020, Algorithm 1): for each image draw t uniformly from 1 … 1,000 \
        and ε ~ N(0, I), and minimise (ε − ε̂(√ᾱ_t x_0 + √(1 − ᾱ_t) ε, t))², averaged over every pixel of every \
        image (L_simple, a mean: its scale does not change with the image's size). Predicting ε is predicting \
        the clean image, x̂_0 = (x_t − √(1 − ᾱ_t) ε̂) / √ᾱ_t. The network is `gen diffusion --arch conv`'s U-Net \
        (16 and 32 channels at 28×28 and 14×14, a 7×7 middle, skips by concatenation, GroupNorm, SiLU, the time \
        through a sinusoidal embedding and an MLP added in every block), Adam 1e-3, batches of 128, \
        \(counted(unetEpochs, "epoch")); the film shows 64 DDIM samples (50 steps) from the same x_T after each epoch.
        """)
    let (trained, training) = try notebook.train(
        .diffusion, ModelKind.diffusion.defaultSettings(.conv), epochs: unetEpochs, film: "training.gif",
        filmCaption: "64 samples from the same x_T (DDIM, 50 steps) after each epoch of training.")
    let diffusion = trained as! DiffusionModel
    // The loss at each tenth of the timesteps, on the first `lossImages` test images (each at a t
    // drawn in the bucket and a fresh ε; three draws), against the best predictor for data whose
    // pixels are independent Gaussians with the training images' means and variances: for
    // x_0 ~ N(μ, diag s²), E[ε | x_t] leaves a loss per pixel of Var(ε | x_t) = ᾱ s² / (ᾱ s² + 1 − ᾱ),
    // averaged over the bucket's t and the pixels.
    let buckets = (0..<10).map { (100 * $0 + 1)...(100 * $0 + 100) }
    let lossImages = notebook.size(1_000, quick: 100)
    let bucketLosses = try notebook.measured("bucket-loss|\(training.identity)|\(lossImages)") { () -> [[Double]] in
        let clean = data.test.images(Array(0..<min(lossImages, data.test.count)), range: .symmetric)
        return seeds.map { seed in
            var random = SeededGenerator(seed: seed &+ 51)
            return buckets.map { bucket in
                let t = (0..<clean.shape[0]).map { _ in bucket.lowerBound + random.nextInt(below: bucket.count) }
                let errors = diffusion.noisePredictionErrors(clean, timesteps: t, generator: &random)
                return errors.reduce(0, +) / Double(errors.count)
            }
        }
    }
    let pixelVariances = try notebook.measured("pixel-variances") { () -> [Double] in
        var (sum, squares, count) = (
            [Double](repeating: 0, count: data.train.imageSize), [Double](repeating: 0, count: data.train.imageSize), 0
        )
        data.train.forEachChunk(of: 1_000, range: .symmetric) { chunk in
            let size = chunk.shape.countPerItem
            for n in 0..<chunk.shape[0] {
                for i in 0..<size {
                    let v = Double(chunk.data[n * size + i])
                    (sum[i], squares[i]) = (sum[i] + v, squares[i] + v * v)
                }
            }
            count += chunk.shape[0]
        }
        return zip(sum, squares).map { $1 / Double(count) - ($0 / Double(count)) * ($0 / Double(count)) }
    }
    let baseline = buckets.map { bucket in
        bucket.reduce(0.0) { total, t in
            let a = diffusion.schedule.alphaBar(t)
            return total + pixelVariances.reduce(0.0) { $0 + a * $1 / (a * $1 + 1 - a) } / Double(pixelVariances.count)
        } / Double(bucket.count)
    }
    let bucketSpreads = buckets.indices.map { b in Spread(bucketLosses.map { $0[b] }) }
    let middles = buckets.map { Double($0.lowerBound + $0.upperBound) / 2 }
    try notebook.plot(
        [
            ("the U-Net", zip(middles, bucketSpreads).map { (x: $0, y: $1.mean) }),
            ("pixels as independent Gaussians", zip(middles, baseline).map { (x: $0, y: $1) }),
        ], x: "t (the middle of each tenth)", y: "mean of (ε̂ − ε)² per pixel", "loss-by-timestep.png",
        title: "L_simple by timestep",
        caption: """
            The U-Net's loss on \(grouped(lossImages)) test images in each tenth of the timesteps (a t drawn in it and a \
            fresh ε per image; the mean of \(counted(seeds.count, "draw"))), beside the best predictor for data whose \
            pixels were independent Gaussians with the training images' means and variances (computed, not trained).
            """)
    notebook.table(
        ["t"] + buckets.map { "\($0.lowerBound)–\($0.upperBound)" },
        [
            ["the U-Net"] + bucketSpreads.map { fixed($0.mean, 3) },
            ["pixels as independent Gaussians"] + baseline.map { fixed($0, 3) },
        ],
        caption:
            "Mean of (ε̂ − ε)² per pixel; the U-Net's spread over draws is at most \(fixed(bucketSpreads.map(\.standardDeviation).max()!, 4))."
    )
    // Where x_t is nearly all noise, ε̂ ≈ x_t is nearly exact for any predictor: the comparison
    // says something only where the pixel model still loses 0.05 or more.
    let informative = buckets.indices.filter { baseline[$0] >= 0.05 }
    let beaten = informative.filter { bucketSpreads[$0].isClearlyBelow(baseline[$0]) }.count
    notebook.verdict(
        claim: """
            One network ε̂(x_t, t), trained on L_simple with t drawn uniformly, learns to denoise at every noise level \
            (Ho et al. 2020)
            """,
        outcome: beaten == informative.count
            ? .reproduced : (2 * beaten > informative.count ? .partly : .notReproduced),
        evidence: """
            Its loss is clearly below the independent-pixel predictor's in \(beaten) of the \(informative.count) tenths \
            of the timesteps where that predictor loses 0.05 or more: \(fixed(bucketSpreads[0].mean, 3)) against \
            \(fixed(baseline[0], 3)) at t ≤ 100, \(fixed(bucketSpreads[4].mean, 3)) against \(fixed(baseline[4], 3)) \
            around t = 450 (\(counted(seeds.count, "draw")) of ε and t). In the last tenths x_t is almost all noise \
            and both are nearly exact (\(fixed(bucketSpreads[9].mean, 4)) against \(fixed(baseline[9], 4)) at the end). \
            The smallest t are the hardest in this loss: the noise is a trace under the image, and the U-Net must \
            tell it from the image's own detail.
            """)

    notebook.section(
        "Sampling: 1,000 ancestral steps against DDIM's 10 to 100",
        """
        DDPM samples by walking back all T = 1,000 steps, drawing x_{t−1} from q(x_{t−1} | x_t, x̂_0) with fresh \
        noise at each (Ho et al. 2020, Algorithm 2). DDIM (Song, Meng & Ermon 2021) uses the same trained network \
        on a subsequence of the steps, deterministically: x_{t'} = √ᾱ_{t'} x̂_0 + √(1 − ᾱ_{t'}) ε̂. Each sampler \
        below starts from the same x_T (per draw) and is scored by the judge; the time is per image, on \
        \(counted(notebook.request.threads, "thread")), the U-Net taking \(diffusion.sliceSize) images at once.
        """)
    let samplerSteps = [10, 25, 50, 100]
    func sampled(steps: Int?, count: Int, random: inout SeededGenerator) -> Tensor {
        let start = Tensor.normal(Shape(count, diffusion.latentDimension), using: &random)
        guard let steps else { return pixels(diffusion.denoiseAncestrally(start, generator: &random)) }
        return pixels(diffusion.denoiseDeterministically(start, steps: steps))
    }
    let samplers: [(name: String, steps: Int?)] =
        [("DDPM, ancestral", nil)] + samplerSteps.map { ("DDIM", $0) }
    let samplerScores = try samplers.map { sampler in
        try notebook.timedScores(
            "sampler|\(training.identity)|\(sampler.steps ?? 0)|\(samplerCount)|\(samplerDraws)", draws: samplerDraws
        ) { random in sampled(steps: sampler.steps, count: samplerCount, random: &random) }
    }
    try notebook.scoreTable(
        zip(samplers, samplerScores).map { sampler, timed in
            (
                sampler.name,
                [grouped(sampler.steps ?? diffusion.schedule.steps), fixed(1_000 * timed.secondsPerImage.mean, 1)],
                timed.scores
            )
        }, extraHeader: ["steps", "ms per image"],
        caption: "Every sampler starts from the same x_T in each draw; timed on \(samplerScores[0].measuredOn).",
        count: samplerCount, draws: samplerDraws)
    try notebook.plot(
        [
            (
                "DDIM",
                zip(samplerSteps, samplerScores.dropFirst()).map { (x: Double($0), y: $1.scores.frechetDistance.mean) }
            ),
            (
                "DDPM, ancestral",
                [(x: Double(diffusion.schedule.steps), y: samplerScores[0].scores.frechetDistance.mean)]
            ),
        ], x: "sampling steps", y: "Fréchet distance (judge's features)", "fd-by-steps.png",
        title: "Fréchet distance against sampling steps",
        caption: "The scores of the table above: DDIM at 10, 25, 50 and 100 steps, DDPM's ancestral sampler at 1,000.",
        axes: PlotAxes(logX: true, xTicks: [10, 25, 50, 100, 1_000]))
    // The reverse process of DDIM's 50 steps for four x_T: x_t and x̂_0 at every fifth step.
    var reverseDraws = SeededGenerator(seed: notebook.request.seed &+ 61)
    let reverseStart = Tensor.normal(Shape(4, diffusion.latentDimension), using: &reverseDraws)
    var states: [(t: Int, xt: Tensor, estimate: Tensor)] = []
    let reverseEnd = pixels(
        diffusion.denoiseDeterministically(reverseStart, steps: 50) { t, xt, estimate in
            states.append((t: t, xt: pixels(xt), estimate: pixels(estimate)))
        })
    let shown = Array(stride(from: 0, to: states.count, by: 5))
    var reverseRows: [(label: String, images: Tensor)] = []
    for k in 0..<4 {
        let end = reverseEnd.rows(k..<(k + 1))
        reverseRows.append((label: "x_t", images: stacked(shown.map { states[$0].xt.rows(k..<(k + 1)) } + [end])))
        reverseRows.append((label: "x̂_0", images: stacked(shown.map { states[$0].estimate.rows(k..<(k + 1)) } + [end])))
    }
    try notebook.images(
        reverseRows, "reverse-process.png", title: "DDIM's 50 steps, every fifth",
        caption: """
            Four samples from x_T (left) to the image (right): each pair of rows is x_t and the clean image the U-Net \
            estimates from it, x̂_0, at t = \(shown.map { grouped(states[$0].t) }.joined(separator: ", ")), then the sample.
            """)
    // DDIM's samples count as as good as DDPM's when their mean Fréchet distance is within 10% of
    // the ancestral sampler's (a margin set before measuring).
    let ancestral = samplerScores[0]
    func scores(steps: Int) -> TimedScores { samplerScores[samplers.firstIndex { $0.steps == steps }!] }
    let fifty = scores(steps: 50)
    let fewest = samplerSteps.first {
        scores(steps: $0).scores.frechetDistance.mean <= 1.1 * ancestral.scores.frechetDistance.mean
    }
    let speedup = fewest.map { ancestral.secondsPerImage.mean / scores(steps: $0).secondsPerImage.mean }
    notebook.verdict(
        claim: """
            DDIM “can produce high quality samples 10× to 50× faster in terms of wall-clock time compared to DDPMs” \
            (Song, Meng & Ermon 2021), from the same trained network
            """,
        outcome: fewest.map { $0 <= 50 ? .reproduced : .partly } ?? .notReproduced,
        evidence: """
            Fréchet distance \(samplerSteps.map { "\(scores(steps: $0).scores.frechetDistance.text(1)) at \($0)" }.joined(separator: ", ")) \
            DDIM steps, against \(ancestral.scores.frechetDistance.text(1)) for 1,000 ancestral steps \
            (\(counted(samplerDraws, "draw")) of \(grouped(samplerCount)) images from the same x_T). \
            \(fewest.map { "From \($0) steps DDIM is within the page's 10% of DDPM, \(fixed(speedup!, 0))× faster per image." } ?? "At no step count tried is DDIM within the page's 10% of DDPM.")
            """)

    notebook.section(
        "The four families on one sheet",
        """
        The convolutional models of gen, each as the gallery trains it: the conv autoencoder sampled from random \
        codes (uniform between its training codes' extremes), the conv VAE (20-number codes), the DCGAN, and the \
        U-Net above sampled by DDIM in 50 steps. All scored alike: the same judge, the same number of images \
        per draw as the samplers above; training seconds as each model's own run measured them (one thread in \
        the gallery), sampling time per image as the table's caption says.
        """)
    for (label, folder) in [("conv AE", "conv-ae"), ("conv VAE", "conv-vae"), ("DCGAN", "dcgan")] {
        notebook.uses(label, "../\(folder)/index.html")
    }
    let rivals: [(kind: ModelKind, epochs: Int)] = [(.ae, 10), (.vae, 10), (.gan, 5)]
    var families: [(name: String, result: TrainingResult, timed: TimedScores)] = try rivals.map { rival in
        let (model, result) = try notebook.train(
            rival.kind, rival.kind.defaultSettings(.conv), epochs: notebook.epochs(rival.epochs))
        let timed = try notebook.timedScores(
            "family|\(result.identity)|\(samplerCount)|\(samplerDraws)", draws: samplerDraws
        ) {
            random in model.sample(count: samplerCount, generator: &random)
        }
        return (model.displayName, result, timed)
    }
    families.append(("Diffusion (U-Net), DDIM 50 steps", training, fifty))
    func trainingSeconds(_ result: TrainingResult) -> Double { result.series(.seconds).reduce(0) { $0 + $1.y } }
    try notebook.scoreTable(
        families.map { family in
            (
                family.name,
                [
                    "\(family.result.epochs)", grouped(Int(trainingSeconds(family.result).rounded())),
                    fixed(1_000 * family.timed.secondsPerImage.mean, 2),
                ], family.timed.scores
            )
        }, extraHeader: ["epochs", "training seconds", "ms per sample"],
        caption: "Sampling timed on \(families[0].timed.measuredOn).", count: samplerCount, draws: samplerDraws)
    let dcgan = families[2].timed.scores, ours = fifty.scores
    let perMinute = families.map { family in
        (name: family.name, x: trainingSeconds(family.result) / 60, y: family.timed.scores.frechetDistance.mean)
    }
    try notebook.plot(
        perMinute.map { (name: $0.name, points: [(x: $0.x, y: $0.y)]) }, x: "minutes of training",
        y: "Fréchet distance ↓",
        "families.png", title: "Sample quality against training time",
        caption: "Each family's Fréchet distance (the table's) against the minutes its training took.",
        axes: PlotAxes(pointsOnly: true))
    notebook.verdict(
        claim:
            "Diffusion models beat GANs on sample quality (Dhariwal & Nichol 2021, “Diffusion Models Beat GANs on Image Synthesis”)",
        outcome: ours.frechetDistance.isClearlyBelow(dcgan.frechetDistance)
            ? .reproduced : (dcgan.frechetDistance.isClearlyBelow(ours.frechetDistance) ? .notReproduced : .partly),
        evidence: """
            On this budget (\(counted(training.epochs, "epoch")), \(fixed(trainingSeconds(training) / 60, 1)) minutes of \
            training against the DCGAN's \(fixed(trainingSeconds(families[2].result) / 60, 1))), the U-Net's Fréchet \
            distance is \(ours.frechetDistance.text(1)) against the DCGAN's \(dcgan.frechetDistance.text(1)); recall \
            \(ours.recall.text(2)) against \(dcgan.recall.text(2)), coverage \(ours.coverage.text(2)) against \
            \(dcgan.coverage.text(2)) (\(counted(samplerDraws, "draw")) of \(grouped(samplerCount)) images). The papers' \
            diffusion models train for days on accelerators; this one trained for minutes on a CPU.
            """)

    notebook.uses("the U-Net's own page (samples, interpolation, its film)", "../conv-diffusion/index.html")
    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "diffusion"))
}
