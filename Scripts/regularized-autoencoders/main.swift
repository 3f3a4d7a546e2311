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
        }, caption: "MSE per pixel over the 10,000 test images, each with its own noise.")
    notebook.say(
        """
        The denoising AE's output is \(fixed(plain.measures.denoisedMSE / denoising.measures.denoisedMSE, 1))× \
        closer to the clean image than the plain AE's; on clean images it pays \
        \(fixed(denoising.measures.reconstructionMSE / plain.measures.reconstructionMSE, 2))× the plain AE's error.
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

    notebook.section(
        "Contractive",
        """
        A contractive autoencoder (Rifai et al. 2011) adds λ‖J_f(x)‖²: the code should barely move \
        when the input moves a little. Its closed form holds for a one-layer encoder, so all three \
        models here are 784-32-784 with sigmoid codes. Contraction is the mean ‖f(x + δ) − f(x)‖ / ‖δ‖ \
        over test images for small noise δ ~ N(0, 0.01² I).
        """)
    let contractive = try [Float(0), 0.1, 1].map { lambda in
        try trained(lambda == 0 ? "λ = 0 (plain)" : "λ = \(lambda)") {
            ($0.hiddenSizes, $0.codeActivation, $0.contractive) = ([], .sigmoid, lambda)
        }
    }
    notebook.table(
        ["model", "contraction", "reconstruction MSE"],
        contractive.map { v in
            [v.name, fixed(v.measures.contraction, 3), fixed(v.measures.reconstructionMSE, 4)]
        })
    let (flat, loose) = (contractive[2].measures, contractive[0].measures)
    notebook.say(
        """
        λ = 1 makes the code \(fixed(loose.contraction / flat.contraction, 1))× less sensitive to small input \
        changes than the plain model, for \(fixed(flat.reconstructionMSE / loose.reconstructionMSE, 2))× its \
        reconstruction error.
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

    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "regularized-autoencoders"))
}
