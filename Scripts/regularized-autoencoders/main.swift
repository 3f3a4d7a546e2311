// Regularised autoencoders: what denoising, sparsity, contraction and tied weights each change.
//   swift run regularized-autoencoders            Fashion-MNIST, into Gallery/regularized-autoencoders/
//   swift run regularized-autoencoders --quick    synthetic digits, one epoch per model: seconds
import Foundation
import Lab

do {
    let notebook = try Notebook(
        "regularized-autoencoders", title: "Regularised autoencoders: denoising, sparse, contractive, tied",
        introduction: """
            A plain autoencoder learns whatever copies its training images best. Each regulariser asks for \
            something more: rebuild the clean image from a noisy one, keep most code units off, keep the code \
            still when the input moves a little, share weights between encoder and decoder. Each section \
            trains the variant beside its plain twin and measures the property the regulariser is for.
            """, order: 3)
    let test = try notebook.data().test
    let epochs = notebook.epochs(10)
    // One test image of each class, the same in every figure.
    let originals = test.images(test.classNames.indices.compactMap { test.labels.firstIndex(of: $0) })
    // An autoencoder trained from the default settings changed by `change`, with its measures on the
    // test images (AutoencoderMeasures: errors are MSE per pixel in [0, 1]).
    typealias Variant = (
        name: String, model: any GenerativeModel, result: TrainingResult, measures: AutoencoderMeasures
    )
    func trained(_ name: String, _ change: (inout ModelSettings) -> Void = { _ in }) throws -> Variant {
        var settings = ModelKind.ae.defaultSettings
        change(&settings)
        let (model, result) = try notebook.train(.ae, settings, epochs: epochs)
        return (name, model, result, AutoencoderMeasures.measure(model, test: test, seed: notebook.request.seed)!)
    }
    let plain = try trained("plain AE")
    let seed = notebook.request.seed
    // mean(a's figure) / mean(b's figure) over the same test images, with its bootstrap spread.
    func ratio(_ figure: String, _ a: Variant, _ b: Variant) -> Spread {
        Spread.ratioOfMeans(a.measures.perImage[figure]!, b.measures.perImage[figure]!, seed: seed)
    }
    // A figure's mean over the test images, with its bootstrap spread.
    func measure(_ figure: String, _ v: Variant) -> Spread { Spread.meanOf(v.measures.perImage[figure]!, seed: seed) }

    notebook.section(
        "Denoising",
        """
        The denoising autoencoder (Vincent et al. 2008) sees each image with Gaussian noise added \
        (σ = 0.5, drawn anew every epoch) and is scored on rebuilding the clean image. Both models get \
        the same noisy test images.
        """)
    let noise = Corruption.gaussian(sigma: 0.5)
    let denoising = try trained("denoising AE") { $0.corruption = noise }
    var draws = SeededGenerator(seed: notebook.request.seed)
    let noisy = noise.applied(to: originals, generator: &draws)
    try notebook.images(
        [
            ("noisy input", noisy.clamped(to: 0...1)), ("plain AE", plain.model.reconstruct(noisy)!),
            ("denoising AE", denoising.model.reconstruct(noisy)!), ("clean", originals),
        ],
        "denoising.png", title: "Noisy input, both models' outputs, the clean image",
        caption: """
            Test images with Gaussian noise σ = 0.5 (shown clipped to [0, 1]), what each model makes of \
            them, and the clean image.
            """)
    notebook.table(
        ["model", "noisy input vs clean", "output vs clean", "clean reconstruction"],
        [plain, denoising].map { v in
            [
                v.name, fixed(v.measures.noisyInputMSE, 4), fixed(v.measures.denoisedMSE, 4),
                fixed(v.measures.reconstructionMSE, 4),
            ]
        }, caption: "MSE per pixel over the \(grouped(test.count)) test images, each with its own noise.")
    let closer = ratio("denoised", plain, denoising), cost = ratio("reconstruction", denoising, plain)
    notebook.verdict(
        claim: "“Add noise to input … but learn to reconstruct the original clean image” (lecture 002)",
        outcome: closer.isClearlyAbove(1)
            && denoising.measures.denoisedMSE < denoising.measures.noisyInputMSE ? .reproduced : .notReproduced,
        evidence: """
            From the same noisy test images the denoising AE's output is \(closer.text(2))× closer to the clean image \
            than the plain AE's (squared error; ± a bootstrap standard error over the \(grouped(test.count)) test \
            images), and \(fixed(denoising.measures.noisyInputMSE / denoising.measures.denoisedMSE, 1))× closer than its \
            noisy input. It pays \(cost.text(2))× the plain AE's error on clean images.
            """)

    notebook.section(
        "Sparse codes",
        """
        Sigmoid code units, with and without a KL sparsity penalty (target mean activation ρ = 0.05, \
        weight 3): each unit's mean activation over the batch is pulled towards 5%. The histogram counts \
        every code value of 2,000 test images.
        """)
    let sigmoid = try trained("sigmoid code") { $0.codeActivation = .sigmoid }
    let sparse = try trained("KL-sparse code") {
        ($0.codeActivation, $0.sparsity) = (.sigmoid, .kl(target: 0.05, weight: 3))
    }
    let probe = test.images(Array(0..<min(2_000, test.count)))
    let histograms = [sigmoid, sparse].map { v in
        let codes = v.model.encode(probe)!.scalars
        let bins = (0..<20).map { bin in codes.filter { min(Int($0 * 20), 19) == bin }.count }
        return (
            name: v.name,
            points: bins.indices.map { (x: (Double($0) + 0.5) / 20, y: 100 * Double(bins[$0]) / Double(codes.count)) }
        )
    }
    try notebook.plot(
        histograms, x: "code value", y: "% of code values", "sparse-histogram.png",
        title: "Code activations, with and without sparsity",
        caption: "Share of code values in each twentieth of [0, 1], over 2,000 test images' codes.")
    notebook.table(
        ["code", "mean activation", "values below 0.05", "reconstruction MSE"],
        [sigmoid, sparse].map { v in
            [
                v.name, fixed(v.measures.meanCode, 3), fixed(100 * v.measures.inactiveShare, 1) + "%",
                fixed(v.measures.reconstructionMSE, 4),
            ]
        })
    let (offPlain, offSparse) = (measure("inactive", sigmoid), measure("inactive", sparse))
    notebook.verdict(
        claim: """
            A sparsity penalty makes the code rely on “activating a small number of neurons” for any given input \
            (lecture 002)
            """,
        outcome: offPlain.isClearlyBelow(offSparse) && offSparse.mean > 0.5
            ? .reproduced : (offPlain.isClearlyBelow(offSparse) ? .partly : .notReproduced),
        evidence: """
            With the KL penalty an image's code has \(offSparse.percent(1)) of its units below 0.05 (mean activation \
            \(fixed(sparse.measures.meanCode, 3)), target 0.05), against \(offPlain.percent(1)) without \
            (± bootstrap standard errors over test images); it pays \(ratio("reconstruction", sparse, sigmoid).text(2))× \
            the error.
            """)

    notebook.section(
        "Contractive",
        """
        A contractive autoencoder (Rifai et al. 2011) adds λ‖J_f(x)‖²: the code should barely move \
        when the input moves a little. Its closed form holds for a one-layer encoder, so all three \
        models here are 784-32-784 with sigmoid codes. Contraction is the mean ‖f(x + δ) − f(x)‖ / ‖δ‖ \
        over test images for small noise δ ~ N(0, 0.01² I).
        """)
    // Each λ from three seeds: these one-layer models are quick to train.
    let lambdas: [Float] = [0, 0.1, 1]
    let contractive = try lambdas.map { lambda in
        try notebook.seeds(3).map { seed in
            var settings = ModelKind.ae.defaultSettings
            (settings.hiddenSizes, settings.codeActivation, settings.contractive) = ([], .sigmoid, lambda)
            let model = try notebook.train(.ae, settings, epochs: epochs, seed: seed).model
            return AutoencoderMeasures.measure(model, test: test, seed: seed)!
        }
    }
    let contraction = contractive.map { Spread($0.map(\.contraction)) }
    let contractiveError = contractive.map { Spread($0.map(\.reconstructionMSE)) }
    notebook.table(
        ["model", "contraction", "reconstruction MSE"],
        lambdas.indices.map { i in
            [
                lambdas[i] == 0 ? "λ = 0 (plain)" : "λ = \(lambdas[i])", contraction[i].text(3),
                contractiveError[i].text(4),
            ]
        }, caption: "Mean ± standard deviation over \(counted(notebook.seeds(3).count, "training seed")).")
    notebook.verdict(
        claim: "“For very similar inputs, the learned encoding should also be very similar” (lecture 002)",
        outcome: contraction[1].isClearlyBelow(contraction[0]) && contraction[2].isClearlyBelow(contraction[1])
            ? .reproduced : (contraction[2].isClearlyBelow(contraction[0]) ? .partly : .notReproduced),
        evidence: """
            The code moves \(contraction[0].text(3)) per unit of input change without the penalty, \
            \(contraction[1].text(3)) with λ = 0.1 and \(contraction[2].text(3)) with λ = 1 \
            (\(fixed(contraction[0].mean / contraction[2].mean, 1))× stiller), for \
            \(fixed(contractiveError[2].mean / contractiveError[0].mean, 2))× the reconstruction error.
            """)

    notebook.section(
        "Overcomplete: copying, and how sparsity stops it",
        """
        With a code of 1,000 numbers for 784 pixels and no hidden layer, an autoencoder can learn the \
        identity and rebuild anything, clothes or not. Rebuilding images of uniform noise tells a copier \
        from a model of clothes. The sparse twin keeps sigmoid codes near 5% active (KL, weight 3).
        """)
    let copier = try trained("1,000 units") {
        ($0.hiddenSizes, $0.latentDimension, $0.reconstructionLoss) = ([], 1000, .mse)
    }
    let sparseWide = try trained("1,000 units, KL-sparse") {
        ($0.hiddenSizes, $0.latentDimension, $0.reconstructionLoss) = ([], 1000, .mse)
        ($0.codeActivation, $0.sparsity) = (.sigmoid, .kl(target: 0.05, weight: 3))
    }
    let noiseImages = Tensor.uniform(Shape(originals.shape[0], originals.shape[1]), low: 0, high: 1, using: &draws)
    let rows: [(label: String, images: Tensor)] = [
        ("noise", noiseImages), ("1,000 units", copier.model.reconstruct(noiseImages)!),
        ("sparse 1,000", sparseWide.model.reconstruct(noiseImages)!),
        ("clothes", originals), ("1,000 units", copier.model.reconstruct(originals)!),
        ("sparse 1,000", sparseWide.model.reconstruct(originals)!),
    ]
    try notebook.images(
        rows, "overcomplete.png", title: "Overcomplete codes on noise and on clothes",
        caption: "Uniform noise and test images, rebuilt by the 1,000-unit autoencoder and by its sparse twin.")
    notebook.table(
        ["model", "clothes MSE", "noise MSE", "contraction", "code values below 0.05"],
        [copier, sparseWide, plain].map { v in
            [
                v.name, fixed(v.measures.reconstructionMSE, 4), fixed(v.measures.noiseReconstructionMSE, 4),
                fixed(v.measures.contraction, 2),
                fixed(100 * v.measures.inactiveShare, 0) + "%",
            ]
        },
        caption:
            "The plain AE has 32 code units and a hidden layer. Predicting 0.5 for every pixel of uniform noise scores 0.083."
    )
    let (copied, stopped) = (measure("noiseReconstruction", copier), measure("noiseReconstruction", sparseWide))
    let copies = copied.isClearlyBelow(0.083 / 4)
    notebook.verdict(
        claim: """
            A code larger than the input “can trivially learn to just copy … (unless you regularize)”; sparsity gives \
            a bottleneck “without requiring a reduction in the number of nodes” (lecture 002)
            """,
        outcome: copies && copied.isClearlyBelow(stopped) ? .reproduced : (copies ? .partly : .notReproduced),
        evidence: """
            The 1,000-unit autoencoder rebuilds uniform noise to \(copied.text(4)) squared error per pixel (guessing 0.5 \
            everywhere: 0.083)\(copies ? ": it copies" : ": it does not copy"). Its sparse twin rebuilds noise to \(stopped.text(4)), \
            \(fixed(stopped.mean / copied.mean, 1))× \(stopped.mean > copied.mean ? "worse" : "as bad"), while keeping clothes at \
            \(fixed(sparseWide.measures.reconstructionMSE, 4)) (± bootstrap standard errors over images).
            """)

    notebook.section(
        "Tied weights",
        """
        Tying each decoder layer to the transpose of its mirror in the encoder halves the weights; \
        the question is what it costs in reconstruction.
        """)
    let tied = try trained("tied AE") { $0.tiedWeights = true }
    notebook.table(
        ["model", "parameters", "test BCE (nats per image)", "reconstruction MSE"],
        try [plain, tied].map { v in
            [
                v.name, "\(v.model.parameterCount)", fixed(try v.result.final(.testLoss), 1),
                fixed(v.measures.reconstructionMSE, 4),
            ]
        })
    let tiedCost = ratio("reconstruction", tied, plain)
    notebook.verdict(
        claim: "“It is possible to design autoencoder as W′ = Wᵀ” (lecture 004): half the weights",
        outcome: abs(Double(tied.model.parameterCount) / Double(plain.model.parameterCount) - 0.5) < 0.05
            ? .reproduced : .notReproduced,
        evidence: """
            Tied, the autoencoder has \(fixed(Double(tied.model.parameterCount) / Double(plain.model.parameterCount), 2))× \
            the plain one's parameters and trains to \(tiedCost.text(2))× its squared error (± a bootstrap standard error \
            over test images); the lecture does not say what tying costs: this is the measured price.
            """)

    notebook.section(
        "Denoising against contractive: which part becomes robust",
        """
        Lecture 002 draws the line itself: “Denoising autoencoders make the reconstruction function (ie. decoder) \
        resist small but finite-sized perturbations of the input; contractive autoencoders make the feature \
        extraction function (ie. encoder) resist infinitesimal perturbations of the input.” Tested with the same \
        one-layer 784-32-784 autoencoder with sigmoid codes as in the contractive section, trained plain, \
        contractive (λ = 1, that section's strongest) and denoising (σ = 0.5, the denoising section's), \
        \(counted(notebook.seeds(3).count, "seed")) each. Measured on the test images: how far the code and the \
        output move per unit of an infinitesimal input change δ (σ = 0.01), how much the decoder magnifies a \
        change of code, and the error from a finite one (σ = 0.5 noise) against the clean image. The strengths \
        are the sections' own, not matched: a stronger penalty or more noise would move every number.
        """)
    let robustness = try [
        ("plain", Float(0), false), ("contractive, λ = 1", Float(1), false), ("denoising, σ = 0.5", Float(0), true),
    ]
    .map { name, lambda, denoises in
        (
            name: name,
            measures: try notebook.seeds(3).map { seed in
                var settings = ModelKind.ae.defaultSettings
                (settings.hiddenSizes, settings.codeActivation, settings.contractive) = ([], .sigmoid, lambda)
                if denoises { settings.corruption = noise }
                let model = try notebook.train(.ae, settings, epochs: epochs, seed: seed).model
                return AutoencoderMeasures.measure(model, test: test, seed: seed)!
            }
        )
    }
    func spread(_ figure: KeyPath<AutoencoderMeasures, Double>) -> [Spread] {
        robustness.map { Spread($0.measures.map { $0[keyPath: figure] }) }
    }
    let (codeMoves, outputMoves) = (spread(\.contraction), spread(\.outputContraction))
    // ‖Δg(f)‖ / ‖Δf‖ for the same δ: how much the decoder magnifies a change of code.
    let decoderGain = robustness.map { Spread($0.measures.map { $0.outputContraction / $0.contraction }) }
    let (fromNoise, clean) = (spread(\.denoisedMSE), spread(\.reconstructionMSE))
    notebook.table(
        [
            "model", "code moves ‖Δf‖/‖δ‖", "output moves ‖Δg(f)‖/‖δ‖", "decoder's gain", "error from σ = 0.5 noise",
            "clean error",
        ],
        robustness.indices.map { i in
            [
                robustness[i].name, codeMoves[i].text(3), outputMoves[i].text(3), decoderGain[i].text(2),
                fromNoise[i].text(4), clean[i].text(4),
            ]
        },
        caption: """
            Errors are MSE per pixel against the clean image; mean ± standard deviation over \
            \(counted(notebook.seeds(3).count, "training seed")).
            """)
    try notebook.plot(
        robustness.indices.map { i in (robustness[i].name, [(x: codeMoves[i].mean, y: fromNoise[i].mean)]) },
        x: "code moves per unit of input change", y: "error from σ = 0.5 noise (MSE per pixel)",
        "denoising-against-contractive.png", title: "Where each regulariser puts the robustness",
        caption: "Left: a stiller code (contractive); down: a cleaner output from a noisy input (denoising).",
        axes: PlotAxes(pointsOnly: true))
    let (plainRow, contractiveRow, denoisingRow) = (0, 1, 2)
    // The lecture's two halves: the contractive encoder the stiller under an infinitesimal change,
    // the denoising reconstruction the closer under a finite one.
    let stillerEncoder = codeMoves[contractiveRow].isClearlyBelow(codeMoves[denoisingRow])
    let closerFromNoise = fromNoise[denoisingRow].isClearlyBelow(fromNoise[contractiveRow])
    let denoisingStiller = codeMoves[denoisingRow].isClearlyBelow(codeMoves[contractiveRow])
    notebook.verdict(
        claim: """
            “Denoising autoencoders make the reconstruction function (ie. decoder) resist small but finite-sized \
            perturbations of the input; contractive autoencoders make the feature extraction function (ie. encoder) \
            resist infinitesimal perturbations” (lecture 002)
            """,
        outcome: stillerEncoder && closerFromNoise
            ? .reproduced : (stillerEncoder || closerFromNoise ? .partly : .notReproduced),
        evidence: """
            Under an infinitesimal change the contractive code moves \(codeMoves[contractiveRow].text(3)) and the \
            denoising one \(codeMoves[denoisingRow].text(3)) (plain \(codeMoves[plainRow].text(3))): \
            \(stillerEncoder ? "the contractive encoder is the stiller, as the lecture says" : (denoisingStiller ? "the denoising encoder is the stiller, against the lecture's division" : "at these strengths the two encoders are equally still")). \
            From finite (σ = 0.5) noise the denoising output is \(fromNoise[denoisingRow].text(4)) from the clean \
            image and the contractive one \(fromNoise[contractiveRow].text(4)) (plain \(fromNoise[plainRow].text(4))): \
            \(closerFromNoise ? "denoising resists finite noise best" : "no clear difference"). The decoders magnify a \
            change of code by \(decoderGain[contractiveRow].text(2)) (contractive), \(decoderGain[denoisingRow].text(2)) \
            (denoising) and \(decoderGain[plainRow].text(2)) (plain): \
            \(decoderGain[contractiveRow].mean > decoderGain[denoisingRow].mean ? "the contractive model's decoder undoes part of what its encoder gained" : "the denoising model's decoder is the one that amplifies").
            """)

    notebook.section(
        "L1 beside KL: two ways to ask for sparsity",
        """
        “There are two main ways by which we can impose this sparsity constraint”: an L1 penalty λ Σ |h| on the \
        activations, and the KL divergence between each unit's mean activation and a target (lecture 002). The \
        KL penalty of the sparse section acts on sigmoid units; here L1 (λ = 0.3) acts on the plain autoencoder's \
        unbounded code. Each beside its twin without the penalty: the share of an image's code values below 0.05, \
        the reconstruction error, and the size of the decoder's first weights, which can grow to undo a code the \
        penalty shrank (a sigmoid unit's activation cannot be shrunk and scaled back up so).
        """)
    let lOne = try trained("L1-sparse code") { $0.sparsity = .l1(weight: 0.3) }
    // ‖W‖ of the decoder's first layer (code → hidden), Frobenius.
    func decoderWeightNorm(_ v: Variant) -> Double {
        let first = ((v.model as! Autoencoder).decoder as! Sequential).layers[0] as! Dense
        return first.weight.value.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    }
    let magnitudes = [plain, lOne].map { v in
        let codes = v.model.encode(probe)!.scalars.map { Double(abs($0)) }
        let bins = (0..<30).map { bin in codes.filter { min(Int($0 * 10), 29) == bin }.count }
        return (
            name: v.name,
            points: bins.indices.map { (x: (Double($0) + 0.5) / 10, y: 100 * Double(bins[$0]) / Double(codes.count)) }
        )
    }
    try notebook.plot(
        magnitudes, x: "|code value| (the last bin holds everything from 2.9 up)", y: "% of code values",
        "l1-histogram.png", title: "Code magnitudes, with and without an L1 penalty",
        caption: "Share of |code values| in each tenth from 0 to 3, over 2,000 test images' codes.")
    let twins = [(plain, lOne), (sigmoid, sparse)]
    notebook.table(
        ["code", "mean |h|", "values below 0.05", "reconstruction MSE", "decoder's first weights ‖W‖"],
        twins.flatMap { [$0.0, $0.1] }.map { v in
            [
                v.name, fixed(v.measures.meanCodeMagnitude, 3), measure("inactive", v).percent(1),
                fixed(v.measures.reconstructionMSE, 4), fixed(decoderWeightNorm(v), 1),
            ]
        },
        caption: "Values below 0.05: the mean over test images of each image's share, ± a bootstrap standard error.")
    let sparser = twins.map { measure("inactive", $0.0).isClearlyBelow(measure("inactive", $0.1)) }
    notebook.verdict(
        claim:
            "L1 on the activations and KL towards a target activation are “two main ways” to impose sparsity (lecture 002)",
        outcome: sparser.allSatisfy { $0 } ? .reproduced : (sparser.contains(true) ? .partly : .notReproduced),
        evidence: """
            L1 takes the unbounded code from \(measure("inactive", plain).percent(1)) of values below 0.05 to \
            \(measure("inactive", lOne).percent(1)) (mean |h| \(fixed(plain.measures.meanCodeMagnitude, 2)) → \
            \(fixed(lOne.measures.meanCodeMagnitude, 2)), decoder weights \(fixed(decoderWeightNorm(plain), 1)) → \
            \(fixed(decoderWeightNorm(lOne), 1))); KL takes the sigmoid code from \(measure("inactive", sigmoid).percent(1)) \
            to \(measure("inactive", sparse).percent(1)). Reconstruction costs \(ratio("reconstruction", lOne, plain).text(2))× \
            and \(ratio("reconstruction", sparse, sigmoid).text(2))× (± bootstrap standard errors over test images).
            """)

    // The stack: 784-256-128-64-30 and its mirror; 2 epochs per layer of pretraining, 4 layers.
    let stack = [784, 256, 128, 64, 30]
    let (perLayer, deepEpochs) = (notebook.quick ? 1 : 2, notebook.quick ? 5 : 20)
    notebook.section(
        "Stacked autoencoders: greedy layer-wise pretraining",
        """
        A stacked autoencoder is built from “separate autoencoders”, then one must “attach layers after train \
        autoencoders” (lecture 004): each layer first learns, as the hidden layer of a small autoencoder of its own, \
        to rebuild the codes of the layers below it; then the stack is trained end to end. Lecture 003 credits \
        pretraining to Hinton & Salakhutdinov (2006), “this basically started all the deep learning craze”; they \
        pretrained with RBMs, and Bengio et al. (2007) with autoencoders, as here. The deep autoencoder \
        \(stack.map(String.init).joined(separator: "-")) and its mirror train \(counted(deepEpochs, "epoch")) in \
        all, from random weights or after \(counted(perLayer, "epoch")) of pretraining per layer \
        (\((stack.count - 1) * perLayer) of the \(deepEpochs)), in two settings: today's (ReLU units, Adam) and \
        that of 2006-2007 (sigmoid units, plain gradient descent with a step of 0.1).
        """)
    // One deep autoencoder: `hidden` units between layers, a linear code, logits out (cross-entropy).
    func stacked(sigmoid: Bool, pretrained: Bool) -> Autoencoder {
        var g = SeededGenerator(seed: seed)
        let units: Activation = sigmoid ? .sigmoid : .relu
        let encoder = multilayerPerceptron(stack, hidden: units, inputIsData: true, generator: &g)
        let decoder = multilayerPerceptron(stack.reversed(), hidden: units, inputIsData: false, generator: &g)
        let name = "stacked-\(sigmoid ? "sigmoid" : "relu")-\(pretrained ? "pretrained" : "random")"
        return Autoencoder(
            encoder: encoder, decoder: decoder, latentDimension: stack.last!,
            pretrainingEpochsPerLayer: pretrained ? perLayer : 0, name: name,
            displayName: "\(sigmoid ? "sigmoid, SGD" : "ReLU, Adam"), \(pretrained ? "pretrained" : "random start")")
    }
    let stackedRuns = try [false, true].flatMap { sigmoid in
        try [false, true].map { pretrained in
            let model = stacked(sigmoid: sigmoid, pretrained: pretrained)
            let optimizer: any Optimizer = sigmoid ? SGD(learningRate: 0.1) : Adam()
            let result = try notebook.train(model, optimizer: optimizer, epochs: deepEpochs)
            let errors = try notebook.measured("stacked errors|\(model.name)") {
                AutoencoderMeasures.perImageMSE(model, test: test)
            }
            return (model: model as any GenerativeModel, result: result, errors: errors)
        }
    }
    try notebook.plot(
        stackedRuns.map { ($0.model.displayName, $0.result.series(.testLoss)) }, x: "epoch",
        y: "test BCE (nats per image)", "stacked-curves.png", title: "The deep autoencoder's test loss, epoch by epoch",
        caption: """
            The pretrained runs spend their first \((stack.count - 1) * perLayer) epochs on one layer at a time (the \
            whole stack's loss is drawn, rebuilt through layers not yet trained), then train end to end.
            """)
    notebook.table(
        ["units, optimizer", "start", "test BCE (nats per image)", "squared error per pixel"],
        try stackedRuns.map { run in
            let parts = run.model.displayName.components(separatedBy: ", ")
            return [
                parts.dropLast().joined(separator: ", "), parts.last ?? "", fixed(try run.result.final(.testLoss), 1),
                Spread.meanOf(run.errors, seed: seed).text(4),
            ]
        },
        caption:
            "On the 10,000 test images, after \(counted(deepEpochs, "epoch")) in all; ± a bootstrap standard error.")
    // Pretrained over random start, per setting, resampled over the same test images.
    let (reluGain, sigmoidGain) = (
        Spread.ratioOfMeans(stackedRuns[1].errors, stackedRuns[0].errors, seed: seed),
        Spread.ratioOfMeans(stackedRuns[3].errors, stackedRuns[2].errors, seed: seed)
    )
    notebook.verdict(
        claim: """
            Pretraining a deep autoencoder layer by layer, as a stack of autoencoders (lectures 003 and 004), trains it \
            better than random weights do
            """,
        outcome: sigmoidGain.isClearlyBelow(1) && reluGain.isClearlyBelow(1)
            ? .reproduced
            : (sigmoidGain.isClearlyBelow(1) || reluGain.isClearlyBelow(1) ? .partly : .notReproduced),
        evidence: """
            With sigmoid units and plain gradient descent, pretraining leaves \(sigmoidGain.text(2))× the squared error \
            of a random start; with ReLU units and Adam, \(reluGain.text(2))× (± bootstrap standard errors over test \
            images, the same \(counted(deepEpochs, "epoch")) in all). \(sigmoidGain.isClearlyBelow(1) && !reluGain.isClearlyBelow(1) ? "It helps in the setting of 2006-2007, not with today's units and optimizer." : "")
            """)
    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "regularized-autoencoders"))
}
