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
    notebook.uses("the VAE's page", "../vae/index.html")
    notebook.uses("its live explorer", "../vae/explore.html")
    notebook.uses("the 2-D VAE explorer", "../vae-2d/explore.html")
    notebook.uses("the conv VAE's page", "../conv-vae/index.html")
    // KL(N(μ, σ²) ‖ N(0, I)) of each row: ½ Σⱼ (σⱼ² + μⱼ² − 1 − log σⱼ²), in nats.
    func klDivergence(mean mu: Tensor, logVariance: Tensor) -> [Double] {
        let units = mu.shape.countPerItem
        return (0..<mu.shape[0]).map { r in
            (0..<units).reduce(0.0) { sum, j in
                let (m, v) = (Double(mu[r, j]), Double(logVariance[r, j]))
                return sum + 0.5 * (exp(v) + m * m - 1 - v)
            }
        }
    }

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
            and μ near 0 are switched off: q equals the prior there. Points, not lines: the units are not in any order.
            """, axes: PlotAxes(pointsOnly: true))
    // The KL term for this image, in closed form and by Monte Carlo: the mean over draws z = μ + σ · ε
    // of log q(z | x) − log p(z) = Σⱼ (−½ log σⱼ² − ½ εⱼ² + ½ zⱼ²) (the log 2π terms cancel).
    let closedForm = klDivergence(mean: mu, logVariance: logVariance)[0]
    let draws = notebook.size(10_000, quick: 1_000)
    var monteCarloRandom = SeededGenerator(seed: notebook.request.seed &+ 7)
    let epsilons = Tensor.normal(Shape(draws, vae.latentDimension), using: &monteCarloRandom)
    let logRatios = (0..<draws).map { d -> Double in
        (0..<vae.latentDimension).reduce(0.0) { sum, j in
            let e = Double(epsilons[d, j])
            let zj = Double(mu[0, j]) + exp(0.5 * Double(logVariance[0, j])) * e
            return sum - 0.5 * Double(logVariance[0, j]) - 0.5 * e * e + 0.5 * zj * zj
        }
    }
    let monteCarlo = Spread(logRatios)
    let monteCarloError = monteCarlo.standardError
    notebook.table(
        ["KL(q(z | x) ‖ N(0, I)) for this image", "nats"],
        [
            ["closed form ½ Σⱼ (σⱼ² + μⱼ² − 1 − log σⱼ²)", fixed(closedForm, 2)],
            [
                "Monte Carlo, mean of log q(z | x) − log p(z) over \(grouped(draws)) draws",
                fixed(monteCarlo.mean, 2) + " ± " + fixed(monteCarloError, 2),
            ],
        ],
        caption: """
            The lecture's slide writes −½ Σ (σ² + μ² − 1 − log σ): the minus sign is the ELBO's (which subtracts the KL), \
            and log σ should read log σ². The Monte Carlo figure is ± its standard error.
            """)
    try notebook.images(
        [("x, μ, z₁ … z₈", Tensor(stacking: [image, vae.decode(mu), vae.decode(Tensor(stacking: z))]))],
        "reparameterised.png", title: "The image, decode(μ), and eight draws z = μ + σ · ε decoded",
        caption: """
            The test image, its mean code decoded, and eight codes drawn from its posterior, decoded: the \
            spread σ allows, in pixels.
            """)

    let agrees = abs(monteCarlo.mean - closedForm) < 3 * monteCarloError
    notebook.verdict(
        claim: """
            Reparameterised, z = μ + σ · ε with ε ~ N(0, I), and the KL regulariser has a closed form for Gaussians \
            (lecture 002)
            """,
        outcome: agrees ? .reproduced : .notReproduced,
        evidence: """
            For this image the closed form gives \(fixed(closedForm, 2)) nats and the Monte Carlo estimate over the \
            reparameterised draws \(fixed(monteCarlo.mean, 2)) ± \(fixed(monteCarloError, 2)) \
            (\(agrees ? "within" : "outside") three standard errors); the eight decoded draws above differ only \
            where σ lets them.
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
    // Per test image (2,000 of them): the KL term and the posterior's mean σ, for bootstrap spreads.
    let probe = test.images(Array(0..<min(2_000, test.count)))
    let posteriors = sweep.map { run in
        let (mu, logVariance) = (run.model as! VariationalAutoencoder).posterior(probe)
        let sigma = (0.5 * logVariance).exp().mean(alongAxis: 1).scalars.map(Double.init)
        return (
            kl: Spread.meanOf(klDivergence(mean: mu, logVariance: logVariance), seed: notebook.request.seed),
            sigma: Spread.meanOf(sigma, seed: notebook.request.seed),
            active: mu.variance(alongAxis: 0).scalars.filter { $0 > 0.01 }.count
        )
    }
    notebook.table(
        ["β", "reconstruction (nats)", "KL (nats)", "−ELBO at β = 1", "mean σ of q(z | x)", "active units"],
        try sweep.indices.map { i in
            let run = sweep[i]
            let (reconstruction, kl) = (try run.result.final(.testReconstruction), try run.result.final(.testKL))
            return [
                "\(run.beta)", fixed(reconstruction, 1), posteriors[i].kl.text(1), fixed(reconstruction + kl, 1),
                posteriors[i].sigma.text(3), "\(posteriors[i].active) of 20",
            ]
        },
        caption: """
            Test images, 20-number codes; reconstruction and −ELBO over all test images, KL and σ over 2,000 (± bootstrap \
            standard errors). Active units: the posterior mean varies across those images (variance above 0.01, \
            Burda et al. 2016).
            """)
    try notebook.sampleGrids(
        sweep.map { run in
            var draws = SeededGenerator(seed: notebook.request.seed)  // the same prior draws for every β
            return ("β = \(run.beta)", run.model.sample(count: 36, generator: &draws))
        }, side: 6, "samples-by-beta.png", title: "Prior samples by β",
        caption: "The same 36 draws from N(0, I), decoded by each β's VAE.")
    let manifolds = sweep.map { run in
        (
            "",
            Figures.manifold(
                run.flat.manifold(side: 12), side: 12, layout: layout, axisNote: "z₁, z₂ at the normal quantiles",
                title: notebook.title("β = \(run.beta)"))
        )
    }
    try notebook.figure(
        Figures.sideBySide(manifolds, title: notebook.title("The 2-D latent manifold by β")), "manifold-by-beta.png",
        caption: "A 12 × 12 grid over the 2-D code plane at the normal quantiles 4% … 96%, decoded by each β's VAE.")
    let reconstructions = try sweep.map { try $0.result.final(.testReconstruction) }
    let klFalls = zip(posteriors, posteriors.dropFirst()).allSatisfy { $1.kl.isClearlyBelow($0.kl) }
    let reconstructionRises = zip(reconstructions, reconstructions.dropFirst()).allSatisfy { $1 > $0 }
    let (free, standard) = (posteriors[0], posteriors[2])
    let cheats = free.sigma.isClearlyBelow(standard.sigma)
    notebook.verdict(
        claim: """
            β “controls how much emphasis is given on the reconstruction vs the regularization term”; without it the \
            network “can ‘cheat’ by learning narrow distributions” (lecture 002)
            """,
        outcome: klFalls && reconstructionRises && cheats ? .reproduced : (cheats ? .partly : .notReproduced),
        evidence: """
            From β = 0 to 4 the KL term falls \(klFalls ? "at every step" : "but not at every step") \
            (\(posteriors.map { fixed($0.kl.mean, 1) }.joined(separator: ", ")) nats) and the reconstruction \
            \(reconstructionRises ? "rises at every step" : "does not rise at every step") \
            (\(reconstructions.map { fixed($0, 1) }.joined(separator: ", "))). At β = 0 \(cheats ? "the encoder cheats" : "the posteriors are no narrower"): mean σ \
            \(free.sigma.text(3)) against \(standard.sigma.text(3)) at β = 1, a KL of \(free.kl.text(0)) nats, \
            \(free.active) active units against \(standard.active)\(cheats ? ": narrow posteriors far from the prior, so its prior samples (above) are poor" : "").
            """)

    notebook.section(
        "MLP against convolutional VAE",
        """
        The same objective with convolutional networks (Conv 1→32→64, stride 2, then Dense to the 20-number \
        code; the decoder mirrors it with transposed convolutions). Both at \(counted(epochs, "epoch")); \
        the judge scores \(grouped(notebook.scoredCount)) prior samples of each, three times.
        """)
    let (convVAE, convResult) = try notebook.train(.vae, ModelKind.vae.defaultSettings(.conv), epochs: epochs)
    let mlpResult = sweep[2].result  // β = 1 is the default VAE
    let pair: [(name: String, model: any GenerativeModel, result: TrainingResult)] = [
        ("MLP VAE", vae, mlpResult), ("Conv VAE", convVAE, convResult),
    ]
    let scores = try pair.map { try notebook.scores($0.model, $0.result) }
    let elbos = try pair.map { try $0.result.final(.testLoss) }
    try notebook.scoreTable(
        pair.indices.map { i in
            (pair[i].name, [grouped(pair[i].model.parameterCount), fixed(elbos[i], 1)], scores[i])
        }, extraHeader: ["parameters", "−ELBO (nats)"])
    let originals = test.images(test.classNames.indices.compactMap { test.labels.firstIndex(of: $0) })
    try notebook.images(
        [
            ("original", originals), ("MLP VAE", vae.reconstruct(originals)!),
            ("Conv VAE", convVAE.reconstruct(originals)!),
        ],
        "mlp-vs-conv.png", title: "Reconstructions: MLP and conv VAE",
        caption: "One test image of each class and each VAE's reconstruction (decode(μ)).")
    let sharper = scores[1].frechetDistance.isClearlyBelow(scores[0].frechetDistance), tighter = elbos[1] < elbos[0]
    notebook.verdict(
        claim: "Convolutional layers are “better for video, image and series data” (lecture 002, of autoencoders)",
        outcome: sharper && tighter ? .reproduced : (sharper || tighter ? .partly : .notReproduced),
        evidence: """
            With \(fixed(Double(convVAE.parameterCount) / Double(vae.parameterCount), 2))× the parameters, the conv VAE's \
            −ELBO is \(fixed(elbos[1], 1)) nats against \(fixed(elbos[0], 1)), and its prior samples score a Fréchet \
            distance of \(scores[1].frechetDistance.text(1)) against \(scores[0].frechetDistance.text(1)) (3 draws \
            of \(grouped(notebook.scoredCount)) samples).
            """)

    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "variational-autoencoder"))
}
