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
    // The default AE and VAE: the models `gen ae` and `gen vae` train (and cache) with the same seed.
    let (autoencoder, _) = try notebook.train(.ae, ModelKind.ae.defaultSettings, epochs: epochs)
    let (vae, _) = try notebook.train(.vae, ModelKind.vae.defaultSettings, epochs: epochs)

    notebook.section(
        "Codes of two numbers",
        """
        The same AE and VAE with codes of 2 numbers, so the codes can be drawn as they are: \
        5,000 test images, coloured by class.
        """)
    var flatAE = ModelKind.ae.defaultSettings, flatVAE = ModelKind.vae.defaultSettings
    (flatAE.latentDimension, flatVAE.latentDimension) = (2, 2)
    let maps = try [("Autoencoder", flatAE, ModelKind.ae), ("VAE", flatVAE, ModelKind.vae)].map {
        name, settings, kind in
        let model = try notebook.train(kind, settings, epochs: epochs).model
        return (name: name, map: model.latentMap(test)!)
    }
    try notebook.figure(
        Figures.sideBySide(
            maps.map { panel in
                (
                    panel.name,
                    Figures.latentMap(
                        panel.map.points, labels: panel.map.labels, classNames: test.classNames,
                        axisNames: ("z₁", "z₂"),
                        title: notebook.title("\(panel.name): test codes"))
                )
            }, title: notebook.title("Two-number codes of test images")), "latent-maps.png",
        caption: "Where each model puts 5,000 test images in its 2-number code, coloured by class.")
    let spreads = maps.map { panel -> [String] in
        let (mean, spread) = (panel.map.points.mean(alongAxis: 0), panel.map.points.variance(alongAxis: 0).squareRoot())
        return [panel.name] + (0..<2).flatMap { j in [fixed(mean[j], 2), fixed(spread[j], 2)] }
    }
    notebook.table(
        ["model", "mean z₁", "spread z₁", "mean z₂", "spread z₂"], spreads,
        caption: "Mean and standard deviation of each code unit over the test images; a standard normal has 0 and 1.")
    notebook.say(
        """
        A standard normal, the prior the VAE samples from, has mean 0 and spread 1 in each unit: compare each \
        row with it.
        """)

    notebook.section(
        "Random codes: the autoencoder against the VAE",
        """
        Sampling needs a distribution to draw codes from. For the plain AE (32 numbers) the best simple \
        guess is uniform between each unit's smallest and largest training code; the VAE (20 numbers) \
        draws from its prior N(0, I). The judge (a convolutional classifier of the labels, `gen judge`) \
        scores the samples: precision is the share of samples that look like some real image, recall the \
        share of real images that some sample resembles (Kynkäänniemi et al. 2019).
        """)
    let judge = try notebook.judge()
    var random = SeededGenerator(seed: notebook.request.seed)
    let count = notebook.size(5_000, quick: 500)
    let sampled: [(name: String, images: Tensor)] = [
        ("Autoencoder", autoencoder.sample(count: count, generator: &random)),
        ("VAE", vae.sample(count: count, generator: &random)),
    ]
    try notebook.sampleGrids(
        sampled, "random-codes.png", title: "Decoded random codes",
        caption: "The first 64 samples of each: the AE's uniform codes, the VAE's prior draws.")
    let scores = sampled.map { judge.evaluate($0.images, training: data.train, test: test, memorisationCount: 0) }
    notebook.table(
        ["model", "Fréchet distance", "precision", "recall", "classes held"],
        zip(sampled, scores).map { s, e in
            [
                s.name, fixed(e.frechetDistance, 1), fixed(e.precision, 2), fixed(e.recall, 2),
                "\(e.coverage.classesHeld) of 10",
            ]
        },
        caption:
            "\(count) samples each against the 10,000 test images, in the judge's feature space (lower distance is better)."
    )
    notebook.say(
        """
        \(fixed(100 * scores[0].precision, 0))% of the autoencoder's samples land near some real image in the \
        judge's eyes, against \(fixed(100 * scores[1].precision, 0))% of the VAE's; a uniform box around the \
        AE's codes holds mostly places no image was encoded to.
        """)

    notebook.section(
        "Between two codes",
        """
        Encode two test images, walk in a straight line between their codes, decode every step. \
        The same pairs for both models; the framed ends decode the endpoints themselves.
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
        notebook.say(
            """
            \(name): \(variance.filter { $0 > 0.01 }.count) of its \(model.latentDimension) units vary across \
            test images (variance of the code over 2,000 test images above 0.01).
            """)
    }

    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "latent-space"))
}
