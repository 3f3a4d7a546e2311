// The variational autoencoder: the reparameterisation trick, what β trades, MLP against conv.
//   swift run variational-autoencoder            Fashion-MNIST, into Gallery/variational-autoencoder/ (reuses gen vae's models)
//   swift run variational-autoencoder --quick    synthetic digits, one epoch per model: seconds
import Foundation
import Lab

do {
    let notebook = try Notebook(
        "variational-autoencoder", title: "The variational autoencoder: reparameterisation, β, convolution",
        introduction: """
            A VAE's encoder gives each image a distribution over codes, q(z | x) = N(μ, σ²), not one code. \
            Training draws z from it through z = μ + σ · ε, so gradients reach μ and σ, and pays β · KL(q ‖ N(0, I)) \
            to keep every q near the prior it will later sample from. Losses here are nats per image: \
            binary cross-entropy summed over pixels plus β times the KL summed over code units.
            """, order: 4)
    let data = try notebook.data()
    let test = data.test
    let epochs = notebook.epochs(10)
    let layout = ImageLayout(of: test)
    // The default VAE (784-400-20): the model `gen vae` trains and caches with the same seed.
    let vae = try notebook.train(.vae, ModelKind.vae.defaultSettings, epochs: epochs).model as! VariationalAutoencoder

    notebook.section(
        "The reparameterisation trick for one image",
        """
        The encoder maps one test image to μ and log σ² for each of the 20 code units; ε is drawn from \
        N(0, I); z = μ + σ · ε is what the decoder sees in training. Decoding μ gives the reconstruction; \
        decoding several z shows what the posterior's spread means in pixels.
        """)
    let image = test.images([test.labels.firstIndex(of: 9) ?? 0])
    let (mu, logVariance) = vae.posterior(image)
    let sigma = (0.5 * logVariance).exp()
    var random = SeededGenerator(seed: notebook.request.seed)
    let eps = (0..<8).map { _ in Tensor.normal(Shape(1, vae.latentDimension), using: &random) }
    let z = eps.map { mu + sigma * $0 }
    notebook.table(
        ["unit", "μ", "σ", "ε (first draw)", "z = μ + σ · ε"],
        (0..<6).map { j in
            ["z\(j)", fixed(mu[0, j], 2), fixed(sigma[0, j], 2), fixed(eps[0][0, j], 2), fixed(z[0][0, j], 2)]
        }, caption: "The first 6 of the 20 units.")
    // A (1, 20) code as points (unit, value).
    func byUnit(_ code: Tensor) -> [(x: Double, y: Double)] {
        (0..<code.count).map { (Double($0), Double(code[0, $0])) }
    }
    try notebook.plot(
        [("μ", byUnit(mu)), ("σ", byUnit(sigma)), ("z (first draw)", byUnit(z[0]))], x: "code unit", y: "value",
        "posterior.png", title: "q(z | x) for one test image",
        caption: """
            μ and σ of every code unit for the image below, and one z drawn from them. Units with σ near 1 \
            and μ near 0 are switched off: q equals the prior there.
            """)
    try notebook.images(
        [("x, μ, z₁ … z₈", Tensor(stacking: [image, vae.decode(mu), vae.decode(Tensor(stacking: z))]))],
        "reparameterised.png", title: "The image, decode(μ), and eight draws z = μ + σ · ε decoded",
        caption: """
            The test image, its mean code decoded, and eight codes drawn from its posterior, decoded: the \
            spread σ allows, in pixels.
            """)

    notebook.section(
        "What β trades",
        """
        β weighs the KL term against reconstruction (Higgins et al. 2017 call β > 1 a β-VAE). β = 0 is an \
        autoencoder with noisy codes, free to put codes anywhere; large β pulls every posterior onto the \
        prior and switches units off. Four VAEs with 20-number codes, and four with 2, for the manifold.
        """)
    let betas: [Float] = [0, 0.5, 1, 4]
    let sweep = try betas.map {
        beta -> (beta: Float, model: any GenerativeModel, result: TrainingResult, flat: any GenerativeModel) in
        var settings = ModelKind.vae.defaultSettings
        settings.beta = beta
        let (model, result) = try notebook.train(.vae, settings, epochs: epochs)
        settings.latentDimension = 2
        return (beta, model, result, try notebook.train(.vae, settings, epochs: epochs).model)
    }
    notebook.table(
        ["β", "reconstruction (nats)", "KL (nats)", "−ELBO at β = 1", "active units"],
        try sweep.map { run in
            let (reconstruction, kl) = (try run.result.final(.testReconstruction), try run.result.final(.testKL))
            let variance = run.model.encode(test.images(Array(0..<min(2_000, test.count))))!.variance(alongAxis: 0)
                .scalars
            return [
                "\(run.beta)", fixed(reconstruction, 1), fixed(kl, 1), fixed(reconstruction + kl, 1),
                "\(variance.filter { $0 > 0.01 }.count) of 20",
            ]
        },
        caption: """
            Test images, 20-number codes. Active units: the posterior mean varies across 2,000 test images \
            (variance above 0.01, Burda et al. 2016).
            """)
    try notebook.sampleGrids(
        sweep.map { run in
            var draws = SeededGenerator(seed: notebook.request.seed)  // the same prior draws for every β
            return ("β = \(run.beta)", run.model.sample(count: 36, generator: &draws))
        }, side: 6, "samples-by-beta.png", title: "Prior samples by β",
        caption: "The same 36 draws from N(0, I), decoded by each β's VAE.")
    let manifolds = sweep.map { run in
        (
            "β = \(run.beta)",
            Figures.manifold(
                run.flat.manifold(side: 12), side: 12, layout: layout, axisNote: "z₁, z₂ at the normal quantiles",
                title: notebook.title("β = \(run.beta)"))
        )
    }
    try notebook.figure(
        Figures.sideBySide(manifolds, title: notebook.title("The 2-D latent manifold by β")), "manifold-by-beta.png",
        caption: "A 12 × 12 grid over the 2-D code plane at the normal quantiles 4% … 96%, decoded by each β's VAE.")

    notebook.section(
        "MLP against convolutional VAE",
        """
        The same objective with convolutional networks (Conv 1→32→64, stride 2, then Dense to the 20-number \
        code; the decoder mirrors it with transposed convolutions). Both at \(counted(epochs, "epoch")); \
        the judge scores 5,000 prior samples of each.
        """)
    let (convVAE, convResult) = try notebook.train(.vae, ModelKind.vae.defaultSettings(.conv), epochs: epochs)
    let mlpResult = sweep[2].result  // β = 1 is the default VAE
    let judge = try notebook.judge()
    let count = notebook.size(5_000, quick: 500)
    let pair: [(name: String, model: any GenerativeModel, result: TrainingResult)] = [
        ("MLP VAE", vae, mlpResult), ("Conv VAE", convVAE, convResult),
    ]
    let scores = pair.map { entry in
        var draws = SeededGenerator(seed: notebook.request.seed)
        return judge.evaluate(
            entry.model.sample(count: count, generator: &draws), training: data.train, test: test, memorisationCount: 0)
    }
    let header = [
        "model", "parameters", "−ELBO (nats)", "reconstruction", "KL", "Fréchet distance", "precision", "recall",
    ]
    notebook.table(
        header,
        try zip(pair, scores).map { entry, score in
            let losses = try [Metric.testLoss, .testReconstruction, .testKL].map {
                fixed(try entry.result.final($0), 1)
            }
            return [entry.name, "\(entry.model.parameterCount)"] + losses + [
                fixed(score.frechetDistance, 1), fixed(score.precision, 2), fixed(score.recall, 2),
            ]
        })
    let originals = test.images(test.classNames.indices.compactMap { test.labels.firstIndex(of: $0) })
    try notebook.images(
        [
            ("original", originals), ("MLP VAE", vae.reconstruct(originals)!),
            ("Conv VAE", convVAE.reconstruct(originals)!),
        ],
        "mlp-vs-conv.png", title: "Reconstructions: MLP and conv VAE",
        caption: "One test image of each class and each VAE's reconstruction (decode(μ)).")

    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "variational-autoencoder"))
}
