// The bottleneck: how wide should an autoencoder's code be, and does depth help?
//   swift run bottleneck            Fashion-MNIST, into Gallery/bottleneck/ (about 15 minutes on one core)
//   swift run bottleneck --quick    synthetic digits, one epoch per model: seconds
import Foundation
import Lab

do {
    let notebook = try Notebook(
        "bottleneck", title: "The bottleneck: code size, PCA and depth",
        introduction: """
            An autoencoder squeezes each image through a code of a few numbers and must rebuild it from them. \
            The code's size is the trade: a wider code keeps more and compresses less. With linear units the \
            best a squeeze can do is PCA; non-linear layers, and more of them, should do better at the same size.
            """, order: 1)
    let test = try notebook.data().test
    let epochs = notebook.epochs(10)
    // One test image of each class, the same in every figure.
    let originals = test.images(test.classNames.indices.compactMap { test.labels.firstIndex(of: $0) })
    let seeds = notebook.seeds(3)
    // Squared error of pixels in [0, 1], averaged over every test image and pixel.
    func testMSE(_ model: any GenerativeModel) -> Double {
        AutoencoderMeasures.measure(model, test: test, seed: notebook.request.seed)?.reconstructionMSE ?? .nan
    }
    // Autoencoders with a code of 30 and squared error on a budget of epochs: Adam's rate follows
    // half a cosine down to 0 over the budget, and early stopping on held-out training images
    // keeps the best epoch should the error turn up sooner. Whether a budget is enough is tested
    // by doubling it: a run that twice the epochs improve by little has converged. (At a
    // constant rate the deeper runs were still improving after 40 epochs.)
    let (fit, validation) = try notebook.validationSplit(notebook.size(5_000, quick: 200))
    let budget = notebook.epochs(20)
    let stepsPerEpoch = (fit.train.count + notebook.request.batchSize - 1) / notebook.request.batchSize
    // One hidden layer as wide as 256-128-64 has weights: 1,630 w + 814 ≈ 488,878.
    let wide = 299
    // A model converged on the budget if twice the epochs lower its error by less than this.
    let enough = 0.02
    func trained(_ hidden: [Int], seed: UInt64, epochs: Int) throws -> (
        model: any GenerativeModel, mse: Double, stoppedAt: Int?
    ) {
        var settings = ModelKind.ae.defaultSettings
        (settings.latentDimension, settings.hiddenSizes, settings.reconstructionLoss) = (30, hidden, .mse)
        let (model, result) = try notebook.train(
            .ae, settings, epochs: epochs, data: fit,
            optimizer: Adam(learningRate: settings.learningRate, schedule: .cosine(steps: epochs * stepsPerEpoch)),
            earlyStopping: EarlyStopping(validation: validation, patience: 3), seed: seed)
        return (model, testMSE(model), result.last(.bestEpoch).map { Int($0) })
    }

    notebook.section(
        "Error against code size",
        """
        The default autoencoder (784-512-code-512-784, ReLU, binary cross-entropy with logits summed \
        over pixels) trained with codes of 2, 8, 32 and 128 numbers, \(counted(epochs, "epoch")) each. \
        Compression is 784 pixels over the code's size. Spreads: bootstrap standard errors over the \
        \(grouped(test.count)) test images.
        """)
    let codeSizes = [2, 8, 32, 128]
    let bySize = try codeSizes.map { size in
        var settings = ModelKind.ae.defaultSettings
        settings.latentDimension = size
        let (model, result) = try notebook.train(.ae, settings, epochs: epochs)
        return (model: model, result: result, errors: AutoencoderMeasures.perImageMSE(model, test: test))
    }
    try notebook.images(
        [("original", originals)] + zip(codeSizes, bySize).map { ("code \($0)", $1.model.reconstruct(originals)!) },
        "reconstructions.png", title: "Reconstructions by code size",
        caption: "One test image of each class (top) rebuilt from codes of 2, 8, 32 and 128 numbers.")
    let sizeErrors = bySize.map { Spread.meanOf($0.errors, seed: notebook.request.seed) }
    notebook.table(
        ["code size", "compression", "test BCE (nats per image)", "MSE per pixel"],
        try codeSizes.indices.map { i in
            [
                "\(codeSizes[i])", "\(784 / codeSizes[i])×", fixed(try bySize[i].result.final(.testLoss), 1),
                sizeErrors[i].text(4),
            ]
        })
    try notebook.plot(
        [("autoencoder", zip(codeSizes, sizeErrors).map { (Double($0), 1000 * $1.mean) })],
        x: "code size (numbers, log scale)", y: "test MSE per pixel × 1000", "error-by-size.png",
        title: "Test error against code size",
        caption: "Test squared error per pixel against the code's size.",
        axes: PlotAxes(logX: true, xTicks: codeSizes.map(Double.init)))
    // Each fourfold wider code's error over the narrower one's, on the same test images.
    let stepRatios = zip(bySize, bySize.dropFirst()).map {
        Spread.ratioOfMeans($1.errors, $0.errors, seed: notebook.request.seed)
    }
    let everyStepHelps = stepRatios.allSatisfy { $0.isClearlyBelow(1) }
    let steps = zip(sizeErrors, sizeErrors.dropFirst()).map { $0.mean - $1.mean }  // what each step gains
    let shrinking = zip(steps, steps.dropFirst()).allSatisfy { $1 < $0 }
    notebook.verdict(
        claim: "“Wider bottleneck: better reconstruction, less compression … it's a trade-off” (lecture 001)",
        outcome: everyStepHelps
            ? .reproduced : (stepRatios.contains { $0.isClearlyBelow(1) } ? .partly : .notReproduced),
        evidence: """
            From 2 to 128 numbers the squared error per pixel falls from \(sizeErrors[0].text(4)) to \
            \(sizeErrors[3].text(4)) (\(fixed(sizeErrors[0].mean / sizeErrors[3].mean, 1))× lower, for 64× less \
            compression). Each fourfold wider code multiplies it by \(stepRatios.map { $0.text(2) }.joined(separator: ", then ")) \
            (\(everyStepHelps ? "each clearly below 1" : "not each clearly below 1")), and the gains \
            \(shrinking ? "shrink" : "do not shrink") step by step (\(steps.map { fixed($0, 4) }.joined(separator: ", then ")))\
            \(shrinking ? ": each extra number buys less" : "").
            """)

    notebook.section(
        "PCA, a linear autoencoder and a deep one, at 30 numbers",
        """
        Thirty numbers, as in Hinton & Salakhutdinov (2006). PCA is solved exactly; a linear autoencoder \
        (no hidden layer, no non-linearity) trained on the squared error for \(budget) epochs (Adam's rate annealed \
        to 0 along half a cosine, early stopping on \(validation.count) held-out training images) should find the \
        same subspace; their deep autoencoder \
        (784-1000-500-250-30, ReLU) can bend it. All three are trained on squared error, so one number \
        compares them. Spreads: bootstrap standard errors over the \(test.count) test images.
        """)
    var linear = ModelKind.ae.defaultSettings
    (linear.latentDimension, linear.hiddenSizes, linear.reconstructionLoss) = (30, [], .mse)
    var deep = linear
    deep.hiddenSizes = [1000, 500, 250]
    let pca = try notebook.train(.pca, ModelKind.pca.defaultSettings, epochs: 1).model
    let linearRun = try trained([], seed: notebook.request.seed, epochs: budget)
    let thirty: [(name: String, model: any GenerativeModel)] = [
        ("PCA", pca), ("linear AE", linearRun.model), ("deep AE", try notebook.train(.ae, deep, epochs: epochs).model),
    ]
    let thirtyErrors = thirty.map { AutoencoderMeasures.perImageMSE($0.model, test: test) }
    // Each model's mean error over PCA's, resampled over the same test images.
    let ratios = thirtyErrors.map { Spread.ratioOfMeans($0, thirtyErrors[0], seed: notebook.request.seed) }
    try notebook.images(
        [("original", originals)] + thirty.map { ($0.name, $0.model.reconstruct(originals)!) },
        "thirty.png", title: "PCA, linear AE and deep AE at 30 numbers",
        caption: "Test images rebuilt from 30 numbers by PCA, a linear autoencoder and a deep autoencoder.")
    notebook.table(
        ["model", "parameters", "MSE per pixel", "against PCA"],
        thirty.indices.map { i in
            [
                thirty[i].name, grouped(thirty[i].model.parameterCount),
                fixed(thirtyErrors[i].reduce(0, +) / Double(test.count), 4), ratios[i].text(3) + "×",
            ]
        })
    let (linearRatio, deepRatio) = (ratios[1], ratios[2])
    let matchesPCA = linearRatio.mean < 1.05
    notebook.verdict(
        claim: """
            “Using all linear layers with Euclidean loss is equivalent to PCA”, and deep autoencoders “summarise the \
            information better” than PCA (lecture 002)
            """,
        outcome: matchesPCA && deepRatio.isClearlyBelow(1)
            ? .reproduced : (deepRatio.mean < 1 || matchesPCA ? .partly : .notReproduced),
        evidence: """
            The linear autoencoder, after \(linearRun.stoppedAt.map { "early stopping (best epoch \($0))" } ?? counted(budget, "epoch")), reaches \
            \(linearRatio.text(3))× PCA's error (PCA is the best linear code for the training images, so about 1 is \
            the best a linear code can do); the deep autoencoder \(deepRatio.text(3))× after \(counted(epochs, "epoch")).
            """)

    notebook.section(
        "One wider layer or more layers, at equal parameters",
        """
        “For a better representation we can add neurons in one layer or go deeper … deeper is better” \
        (lecture 000). A fair test gives both the same number of weights: one hidden layer of \(wide) \
        against three (256-128-64), both ReLU with a code of 30 and squared error, and no hidden layer as \
        the baseline. Each trains \(counted(budget, "epoch")) from \(counted(seeds.count, "seed")), Adam's rate \
        falling along half a cosine to 0, early stopping on \(validation.count) held-out training images. Is that \
        convergence? The hidden-layer models of the first seed train again on twice the budget: a model whose \
        error falls by less than \(fixed(100 * enough, 0))% with twice the epochs has converged.
        """)
    let candidates: [(name: String, hidden: [Int])] = [
        ("none (linear)", []), ("one of \(wide)", [wide]), ("256-128-64", [256, 128, 64]),
    ]
    let runs = try candidates.map { candidate in
        try seeds.map { try trained(candidate.hidden, seed: $0, epochs: budget) }
    }
    // The check: the first seed's hidden-layer models on twice the budget, and what it gained them.
    let doubled = try candidates.dropFirst().map { try trained($0.hidden, seed: seeds[0], epochs: 2 * budget) }
    let doublingGains = zip(runs.dropFirst(), doubled).map { 1 - $1.mse / $0[0].mse }
    let depthErrors = runs.map { Spread($0.map(\.mse)) }
    func lowerOrHigher(_ gain: Double) -> String { "\(fixed(100 * abs(gain), 1))% \(gain >= 0 ? "lower" : "higher")" }
    func stopped(_ run: (model: any GenerativeModel, mse: Double, stoppedAt: Int?)) -> String {
        run.stoppedAt.map { " (stopped early, best epoch \($0))" } ?? ""
    }
    notebook.table(
        ["hidden layers", "parameters", "MSE per pixel, \(budget) epochs", "first seed, \(2 * budget) epochs"],
        candidates.indices.map { i in
            [
                candidates[i].name, grouped(runs[i][0].model.parameterCount),
                depthErrors[i].text(4) + runs[i].map(stopped).joined(),
                i == 0
                    ? "–"
                    : fixed(doubled[i - 1].mse, 4) + stopped(doubled[i - 1])
                        + " (\(lowerOrHigher(doublingGains[i - 1])))",
            ]
        },
        caption: """
            Test squared error per pixel, mean ± standard deviation over seeds; the first seed's model again on twice \
            the epochs, and how much lower its error is than on the budget.
            """)
    let (flat, oneWide, threeDeep) = (depthErrors[0], depthErrors[1], depthErrors[2])
    let gain = 1 - threeDeep.mean / oneWide.mean
    // Models that twice the epochs still improve would be compared before convergence.
    let converged = doublingGains.allSatisfy { $0 < enough }
    let hiddenLayersHelp =
        switch (oneWide.isClearlyBelow(flat), threeDeep.isClearlyBelow(flat)) {
        case (true, true): "adding neurons helps, either way"
        case (true, false): "one wide layer clearly helps, three layers not clearly on this budget"
        case (false, true): "three layers clearly help, one wide layer not clearly"
        case (false, false): "hidden layers do not clearly help"
        }
    notebook.verdict(
        claim: "“Add neurons in one layer or go deeper … deeper is better” (lecture 000), at equal parameters",
        outcome: !converged
            ? .partly
            : (threeDeep.isClearlyBelow(oneWide)
                ? .reproduced : (oneWide.isClearlyBelow(threeDeep) ? .notReproduced : .partly)),
        evidence: """
            With \(grouped(runs[2][0].model.parameterCount)) and \(grouped(runs[1][0].model.parameterCount)) weights, three \
            layers reach \(threeDeep.text(4)) and one wide layer \(oneWide.text(4)) (\(fixed(100 * abs(gain), 1))% \
            \(gain >= 0 ? "lower" : "higher") for depth)\(threeDeep.isClearlyBelow(oneWide) ? ": depth wins" : (oneWide.isClearlyBelow(threeDeep) ? ": width wins" : ": the gap is inside the seeds' spread")). \
            No hidden layer: \(flat.text(4)); \(hiddenLayersHelp). \
            Twice the epochs leave the errors of one wide layer and of three layers \(lowerOrHigher(doublingGains[0])) \
            and \(lowerOrHigher(doublingGains[1]))\(converged ? ": both had converged." : ": not yet converged, so this compares them at equal epochs, not at convergence.")
            """)

    notebook.section(
        "Squared error against binary cross-entropy",
        """
        The reconstruction loss is a likelihood. Binary cross-entropy treats each pixel as a coin with the decoder's \
        sigmoid output as its mean (Bernoulli); squared error treats it as a Gaussian around the decoder's output \
        with a fixed variance. The default autoencoder (784-512-32, ReLU) trained \(counted(epochs, "epoch")) with \
        each, \(counted(seeds.count, "seed")), and both judged by both measures on the test images. Fashion-MNIST's \
        pixels are grey levels in [0, 1], not coins: the Bernoulli is a stand-in there.
        """)
    // Per test image: squared error and cross-entropy of the pixel means, clamped to half an 8-bit
    // level from 0 and 1 for the logarithms (the squared-error model's outputs are clamped into
    // [0, 1] and may be exactly 0 or 1, which cross-entropy would call infinitely wrong).
    let losses: [ReconstructionLoss] = [.bce, .mse]
    let likelihoods = try losses.map { loss in
        try seeds.map { seed -> (squared: Double, crossEntropy: Double, model: any GenerativeModel) in
            var settings = ModelKind.ae.defaultSettings
            settings.reconstructionLoss = loss
            let model = try notebook.train(.ae, settings, epochs: epochs, seed: seed).model
            let measures = try notebook.measured("likelihood|\(loss.rawValue)|\(seed)") {
                () -> [Double] in
                var sums = (0.0, 0.0)
                test.forEachChunk(range: .unit) { x in
                    guard let rebuilt = model.reconstruct(x) else { return }
                    for i in 0..<x.count {
                        let (target, mean) = (
                            Double(x.data[i]), min(max(Double(rebuilt.data[i]), 1.0 / 510), 1 - 1.0 / 510)
                        )
                        sums.0 += (target - mean) * (target - mean)
                        sums.1 -= target * log(mean) + (1 - target) * log(1 - mean)
                    }
                }
                return [sums.0 / Double(test.count * test.imageSize), sums.1 / Double(test.count)]
            }
            return (measures[0], measures[1], model)
        }
    }
    try notebook.images(
        [("test images", originals)]
            + zip(["cross-entropy", "squared error"], likelihoods).map { name, runs in
                (name, runs[0].model.reconstruct(originals) ?? originals)
            },
        "likelihoods.png", title: "Rebuilt under each likelihood",
        caption: "One test image of each class and its reconstruction by each autoencoder (the first seed).")
    let squared = likelihoods.map { Spread($0.map(\.squared)) }
    let crossEntropy = likelihoods.map { Spread($0.map(\.crossEntropy)) }
    notebook.table(
        ["trained with", "output means", "squared error per pixel", "cross-entropy per image"],
        [
            ["binary cross-entropy", "sigmoid(output): a Bernoulli mean", squared[0].text(5), crossEntropy[0].text(2)],
            [
                "squared error", "output, clamped to [0, 1]: a Gaussian mean", squared[1].text(5),
                crossEntropy[1].text(2),
            ],
        ], caption: "On the 10,000 test images; mean ± standard deviation over seeds.")
    let eachWinsItsOwn = crossEntropy[0].isClearlyBelow(crossEntropy[1]) && squared[1].isClearlyBelow(squared[0])
    notebook.verdict(
        claim: """
            “If the input values are in the range [0, 1] then we typically use binary cross-entropy, otherwise, we use \
            the mean squared error” (lecture 002): on [0, 1] images, cross-entropy should rebuild better
            """,
        outcome: squared[0].isClearlyBelow(squared[1]) && crossEntropy[0].isClearlyBelow(crossEntropy[1])
            ? .reproduced : (eachWinsItsOwn ? .partly : .notReproduced),
        evidence: """
            Trained with cross-entropy: \(squared[0].text(5)) squared error per pixel and \
            \(crossEntropy[0].text(2)) cross-entropy per image; trained with squared error: \(squared[1].text(5)) and \
            \(crossEntropy[1].text(2)). \(eachWinsItsOwn ? "Each loss wins by its own measure: the choice is which likelihood the pixels are judged by, not a better or worse autoencoder." : (squared[0].isClearlyBelow(squared[1]) && crossEntropy[0].isClearlyBelow(crossEntropy[1]) ? "Cross-entropy wins by both measures." : (squared[1].isClearlyBelow(squared[0]) && crossEntropy[1].isClearlyBelow(crossEntropy[0]) ? "Squared error wins by both measures." : "Neither wins clearly by both measures.")))
            """)

    notebook.section(
        "Autoencoders are data-specific",
        """
        An autoencoder learns to compress what it was trained on, not images in general. The default \
        autoencoder (784-512-32) trained \(counted(epochs, "epoch")) on each of up to three kinds of 28 × 28 \
        image: the clothes of this page, synthetic handwritten-like digits, and patches of a photograph (the \
        cameraman from Debian's python3-skimage, when installed; tested on patches of another photograph, the \
        astronaut). Each model rebuilds the test images of every kind.
        """)
    let photoFolder = "/usr/lib/python3/dist-packages/skimage/data/"
    let photographs = ["camera.png", "astronaut.png"].allSatisfy {
        FileManager.default.fileExists(atPath: photoFolder + $0)
    }
    var domains: [(name: String, data: DatasetSplits)] = [
        ("clothes", try notebook.data()),
        (
            "digits",
            DatasetSplits(
                train: SyntheticDigits.make(count: notebook.size(12_000, quick: 600), seed: 1, name: "digits"),
                test: SyntheticDigits.make(count: notebook.size(2_000, quick: 100), seed: 2, name: "digits"))
        ),
    ]
    if photographs && !notebook.quick {
        domains.append(
            (
                "photos",
                DatasetSplits(
                    train: try PNGFolder.loadGrey(photoFolder + "camera.png").patches(
                        side: 28, stride: 4, name: "camera-patches-28"),
                    test: try PNGFolder.loadGrey(photoFolder + "astronaut.png").patches(
                        side: 28, stride: 14, name: "astronaut-patches-28"))
            ))
    }
    let specialists = try domains.map { domain in
        domain.name == "clothes"
            ? try notebook.train(.ae, ModelKind.ae.defaultSettings, epochs: epochs).model
            : try notebook.train(.ae, ModelKind.ae.defaultSettings, epochs: epochs, data: domain.data).model
    }
    // errors[model][domain]: each test image's squared error per pixel.
    let crossErrors = try specialists.indices.map { m in
        try domains.indices.map { d in
            try notebook.measured("data-specific|\(domains[m].name)|\(domains[d].name)") {
                AutoencoderMeasures.perImageMSE(specialists[m], test: domains[d].data.test)
            }
        }
    }
    var rebuiltRows: [(label: String, images: Tensor)] = []
    for domain in domains {
        // The first ten (a class each for clothes and digits); patches from across the whole photograph.
        let count = domain.data.test.count
        let shown = domain.data.test.images(
            domain.name == "photos" ? (0..<10).map { $0 * count / 10 + count / 20 } : Array(0..<min(10, count)))
        rebuiltRows.append((domain.name, shown))
        for (m, model) in specialists.enumerated() {
            rebuiltRows.append(("\(domains[m].name) AE", model.reconstruct(shown) ?? shown))
        }
    }
    try notebook.images(
        rebuiltRows, "data-specific.png", title: "Each kind of image rebuilt by each autoencoder",
        caption: "Ten test images of each kind, and what each autoencoder makes of them.")
    let seed = notebook.request.seed
    notebook.table(
        ["trained on ↓ tested on →"] + domains.map(\.name),
        specialists.indices.map { m in
            ["\(domains[m].name) AE"]
                + domains.indices.map { d in Spread.meanOf(crossErrors[m][d], seed: seed).text(4) }
        },
        caption: "Squared error per pixel on each kind's test images, ± a bootstrap standard error over them.")
    // For each kind of test image: the other autoencoders' error over its own autoencoder's.
    let penalties = domains.indices.flatMap { d in
        specialists.indices.filter { $0 != d }.map { m in
            (
                domain: domains[d].name, model: domains[m].name,
                ratio: Spread.ratioOfMeans(crossErrors[m][d], crossErrors[d][d], seed: seed)
            )
        }
    }
    let worse = penalties.filter { $0.ratio.isClearlyAbove(1) }
    notebook.verdict(
        claim:
            "“Data-specific: Autoencoders are only able to compress data similar to what they have been trained on” (lecture 002)",
        outcome: worse.count == penalties.count ? .reproduced : (worse.isEmpty ? .notReproduced : .partly),
        evidence: penalties.map {
            "on \($0.domain) the \($0.model) AE's error is \($0.ratio.text(1))× the \($0.domain) AE's"
        }
        .joined(separator: "; ").capitalisedFirst
            + " (± bootstrap standard errors over the test images): \(worse.count) of \(penalties.count) clearly worse."
    )

    notebook.section(
        "Convolutional against dense, at one code size",
        """
        “It doesn't have to use dense layers. It can use convolutional layers to learn which is better for video, \
        image and series data” (lecture 002). The default autoencoder (784-512-32, dense) against the \
        convolutional one with the same 32-number code (Conv 1→32→64, 4 × 4, stride 2, then Dense to the code; the \
        decoder mirrors it with transposed convolutions), both \(counted(epochs, "epoch")) with cross-entropy: \
        the same data, code size and loss, and a third of the weights for the convolutional one.
        """)
    let (dense, denseResult) = try notebook.train(.ae, ModelKind.ae.defaultSettings, epochs: epochs)
    let (convolutional, convResult) = try notebook.train(.ae, ModelKind.ae.defaultSettings(.conv), epochs: epochs)
    let architectures: [(name: String, model: any GenerativeModel, result: TrainingResult)] = [
        ("dense AE", dense, denseResult), ("conv AE", convolutional, convResult),
    ]
    let architectureErrors = try architectures.map { a in
        try notebook.measured("architecture errors|\(a.name)") { AutoencoderMeasures.perImageMSE(a.model, test: test) }
    }
    try notebook.images(
        [("test images", originals)] + architectures.map { ($0.name, $0.model.reconstruct(originals) ?? originals) },
        "dense-against-conv.png", title: "Rebuilt from 32 numbers by a dense and a convolutional autoencoder",
        caption: "One test image of each class and each autoencoder's reconstruction.")
    notebook.table(
        ["autoencoder", "parameters", "test BCE (nats per image)", "squared error per pixel"],
        try architectures.indices.map { i in
            [
                architectures[i].name, grouped(architectures[i].model.parameterCount),
                fixed(try architectures[i].result.final(.testLoss), 1),
                Spread.meanOf(architectureErrors[i], seed: notebook.request.seed).text(5),
            ]
        }, caption: "On the 10,000 test images; ± a bootstrap standard error over them.")
    let convRatio = Spread.ratioOfMeans(architectureErrors[1], architectureErrors[0], seed: notebook.request.seed)
    notebook.verdict(
        claim: "Convolutional layers are “better for video, image and series data” (lecture 002, of autoencoders)",
        outcome: convRatio.isClearlyBelow(1) ? .reproduced : (convRatio.isClearlyAbove(1) ? .notReproduced : .partly),
        evidence: """
            At the same 32-number code, with \(grouped(convolutional.parameterCount)) weights against \
            \(grouped(dense.parameterCount)), the convolutional autoencoder's squared error is \(convRatio.text(2))× \
            the dense one's (± a bootstrap standard error over test images) after \(counted(epochs, "epoch")) each.
            """)

    let weightSeeds = notebook.size(20, quick: 3)
    notebook.section(
        "The decoder's upsampling: transposed convolution against upsampling, then convolution",
        """
        A transposed convolution of stride 2 paints a copy of its kernel, weighted by each input value, every two \
        pixels of its output. Where the copies overlap unevenly, some output pixels collect more than their \
        neighbours: a checkerboard (Odena, Dumoulin & Olah 2016, “Deconvolution and Checkerboard Artifacts”). The \
        overlap is uneven when the kernel's size is not a multiple of the stride (3 × 3 at stride 2). gen's \
        decoders use 4 × 4 at stride 2, which overlaps evenly, but the four pixels of each 2 × 2 block still read \
        four different quarters of the kernel, so unequal weights can draw the pattern anyway. The paper's remedy: \
        nearest-neighbour upsampling, then an ordinary convolution, which gives every pixel the whole kernel. Here \
        one upsampling step of each kind from gen's own layers, on a flat 7 × 7 input (where any pattern in the \
        output is the layer's own): first with every weight 1, counting the kernel taps that reach each pixel, then \
        with random weights, \(counted(weightSeeds, "draw")) of them.
        """)
    // One step of each kind from `channels` channels at 7 × 7: a transposed 3 × 3 (13 × 13 out: gen's
    // transposed convolution has no output padding), a transposed 4 × 4, and ×2 then a 3 × 3 (14 × 14).
    func upsamplers(channels: Int, seed: UInt64) -> [(name: String, layers: [any Layer])] {
        var g = SeededGenerator(seed: seed)
        let transposed3 = TransposedConv2D(
            inputChannels: channels, outputChannels: 1, kernelSize: 3, stride: 2, padding: 1, generator: &g)
        let transposed4 = TransposedConv2D(
            inputChannels: channels, outputChannels: 1, kernelSize: 4, stride: 2, padding: 1, generator: &g)
        let convolution = Conv2D(inputChannels: channels, outputChannels: 1, kernelSize: 3, padding: 1, generator: &g)
        return [
            ("transposed 3 × 3, stride 2", [transposed3]), ("transposed 4 × 4, stride 2", [transposed4]),
            ("×2, then 3 × 3", [Upsample2D(factor: 2), convolution]),
        ]
    }
    func run(_ layers: [any Layer], on input: Tensor) -> Tensor {
        layers.reduce(input) { $1.forward($0, training: false) }
    }
    // Every weight 1, every bias 0: each output pixel counts the kernel taps that reach it.
    let counting = upsamplers(channels: 1, seed: notebook.request.seed)
    for layer in counting.flatMap(\.layers) {
        for parameter in layer.parameters { parameter.value.fill(parameter.name.hasSuffix("bias") ? 0 : 1) }
    }
    let counts = counting.map { run($0.layers, on: Tensor(shape: Shape(1, 1, 7, 7), repeating: 1)) }
    // The interior: two pixels in from each edge, where the padding does not reach.
    func interior(_ map: Tensor) -> [(y: Int, x: Int, value: Float)] {
        let side = map.shape[3]
        return (2..<(side - 2)).flatMap { y in (2..<(side - 2)).map { x in (y, x, map[y * side + x]) } }
    }
    func tapRange(_ map: Tensor) -> (fewest: Float, most: Float) {
        let values = interior(map).map(\.value)
        return (values.min() ?? 0, values.max() ?? 0)
    }
    // The checkerboard's share of an output: how far the means of its four 2 × 2 phases (even or odd
    // row, even or odd column) spread, over the interior's mean magnitude; 0 for an even output.
    func checkerboardShare(_ map: Tensor) -> Double {
        let pixels = interior(map)
        let phases = (0..<4).map { phase in
            let members = pixels.filter { ($0.y % 2) * 2 + $0.x % 2 == phase }.map { Double($0.value) }
            return members.reduce(0, +) / Double(max(members.count, 1))
        }
        let magnitude = pixels.map { abs(Double($0.value)) }.reduce(0, +) / Double(max(pixels.count, 1))
        return ((phases.max() ?? 0) - (phases.min() ?? 0)) / max(magnitude, 1e-12)
    }
    // Random weights (PyTorch's default initialisation, 16 channels in) on a flat input, per draw.
    let flatInput = Tensor(shape: Shape(1, 16, 7, 7), repeating: 1)
    let draws = (0..<UInt64(weightSeeds)).map { upsamplers(channels: 16, seed: notebook.request.seed + $0) }
    let shares = counting.indices.map { i in draws.map { checkerboardShare(run($0[i].layers, on: flatInput)) } }
    // Each map as a 56 × 56 picture: scaled to [0, 1], padded to 14 × 14, each pixel drawn 4 × 4.
    let magnified = ImageLayout(channels: 1, height: 56, width: 56)
    func picture(_ map: Tensor) -> [Float] {
        let side = map.shape[3]
        let values = map.scalars
        let (low, high) = (values.min() ?? 0, values.max() ?? 1)
        let padded = Tensor(zeros: Shape(1, 1, 14, 14))
        for y in 0..<side {
            for x in 0..<side { padded[y * 14 + x] = (values[y * side + x] - low) / max(high - low, 1e-6) }
        }
        return Upsample2D(factor: 4).forward(padded, training: false).scalars
    }
    let shortNames = ["3 × 3, stride 2", "4 × 4, stride 2", "×2, then 3 × 3"]
    try notebook.figure(
        Figures.imageRows(
            counting.indices.map { i in
                let pictures = [counts[i]] + draws.prefix(2).map { run($0[i].layers, on: flatInput) }
                return (shortNames[i], Tensor(shape: Shape(3, magnified.size), values: pictures.flatMap(picture)))
            }, errors: [], errorNote: "", columns: 3, layout: magnified,
            title: notebook.title("One upsampling step on a flat 7 × 7 input", data: "gen's layers")),
        "upsampling-overlap.png",
        caption: """
            Left: how many kernel taps reach each output pixel (every weight 1; white is most; the 3 × 3 step gives \
            13 × 13, padded black to 14 × 14). Then the same step with two draws of random weights. Each picture \
            scaled to its own range; the edges are the padding's.
            """)
    notebook.table(
        ["upsampling", "output", "taps per interior pixel", "checkerboard share, random weights"],
        counting.indices.map { i in
            let taps = tapRange(counts[i])
            return [
                counting[i].name, "\(counts[i].shape[2]) × \(counts[i].shape[3])",
                taps.fewest == taps.most ? "\(Int(taps.most))" : "\(Int(taps.fewest)) to \(Int(taps.most))",
                Spread(shares[i]).text(2),
            ]
        },
        caption: """
            The share: the spread of the four 2 × 2 phases' mean outputs over the mean magnitude, inside the \
            edges; mean ± standard deviation over \(counted(weightSeeds, "draw")) of the weights.
            """)
    let shareSpreads = shares.map(Spread.init)
    let (uneven, even) = (tapRange(counts[0]), tapRange(counts[1]))
    let patterned = shareSpreads[0].isClearlyAbove(0.05) && shareSpreads[1].isClearlyAbove(0.05)
    notebook.verdict(
        claim: """
            Transposed convolutions draw checkerboard patterns, where nearest-neighbour upsampling followed by a \
            convolution does not (Odena, Dumoulin & Olah 2016)
            """,
        outcome: patterned && shareSpreads[2].mean < 0.01 ? .reproduced : (patterned ? .partly : .notReproduced),
        evidence: """
            With every weight 1, a 3 × 3 kernel at stride 2 gives interior pixels \(Int(uneven.fewest)) to \
            \(Int(uneven.most)) taps, a 4 × 4 kernel \(Int(even.most)) each. With random weights on a flat input the \
            mean outputs of the four pixels of a 2 × 2 block spread by \(shareSpreads[0].text(2)) (3 × 3) and \
            \(shareSpreads[1].text(2)) (4 × 4) times the output's mean magnitude, against \(shareSpreads[2].text(2)) \
            after ×2 and a 3 × 3 (mean ± \
            standard deviation over \(counted(weightSeeds, "draw")) of the weights). What training does to the \
            pattern in a decoder is another question: a reconstruction loss pays for every pixel off, \
            checkerboard or not.
            """)

    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "bottleneck"))
}
