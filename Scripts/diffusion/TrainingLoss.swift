import Foundation
import Lab

// The U-Net trained on L_simple, and its loss in each tenth of the timesteps against a computed
// baseline. Returns the model and its run, which the later sections sample and score, and the
// judge's Fréchet distance of `count` DDIM samples after each epoch.
func trainingLoss(
    _ notebook: Notebook, data: DatasetSplits, seeds: [UInt64], epochs unetEpochs: Int, count: Int
) throws -> (diffusion: DiffusionModel, training: TrainingResult, frechetByEpoch: [Double]) {
    let settings = ModelKind.diffusion.defaultSettings(.conv)
    // The step size as the lectures write it (2e-3).
    let exponent = Int(log10(Double(settings.learningRate)).rounded(.down))
    let rate = "\(Int((Double(settings.learningRate) / pow(10, Double(exponent))).rounded()))e\(exponent)"
    notebook.section(
        "One denoiser at every noise level: the training loss",
        """
        A denoising autoencoder at one noise level, told nothing else, would have to guess the level; here the \
        network is told t. Training (Ho et al. 2020, Algorithm 1): for each image draw t uniformly from 1 … 1,000 \
        and ε ~ N(0, I), and minimise (ε − ε̂(√ᾱ_t x_0 + √(1 − ᾱ_t) ε, t))², averaged over every pixel of every \
        image (L_simple, a mean: its scale does not change with the image's size). Predicting ε is predicting \
        the clean image, x̂_0 = (x_t − √(1 − ᾱ_t) ε̂) / √ᾱ_t. The network is `gen diffusion --arch conv`'s U-Net \
        (16 and 32 channels at 28×28 and 14×14, a 7×7 middle, skips by concatenation, GroupNorm, SiLU, the time \
        through a sinusoidal embedding and an MLP added in every block), Adam \(rate), batches of \
        \(notebook.request.batchSize(for: .diffusion, .conv)), \
        \(counted(unetEpochs, "epoch")), sampled with its weights averaged over the steps (a section below compares \
        them with the weights as trained); the film shows 64 DDIM samples (50 steps) from the same x_T after each \
        epoch.
        """)
    // After every epoch, the judge's Fréchet distance of `count` DDIM samples from the x_T of the
    // samplers' first draw (kept beside the checkpoint): the U-Net's quality against its minutes
    // of training, which the sheet of the four families plots.
    let judge = try notebook.judge()
    let (trained, training, frechetByEpoch) = try notebook.train(
        .diffusion, settings, epochs: unetEpochs, film: "training.gif",
        filmCaption: "64 samples from the same x_T (DDIM, 50 steps) after each epoch of training.",
        history: "frechet-distance-\(count)"
    ) { model in
        var random = SeededGenerator(seed: notebook.request.seed)
        let samples = model.sample(count: count, generator: &random)
        return judge.evaluate(samples, training: data.train, test: data.test, memorisationCount: 0).frechetDistance
    }
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
    return (diffusion, training, frechetByEpoch)
}
