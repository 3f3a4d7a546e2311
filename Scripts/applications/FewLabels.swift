import Foundation
import Lab

// Pretraining with few labels: a classifier from scratch against pretrained encoders, frozen or fine-tuned.
func fewLabels(_ notebook: Notebook, data: DatasetSplits, epochs: Int, pretext: PretextModels) throws {
    let (train, test) = (data.train, data.test)
    let budgets = notebook.quick ? [10, 100] : [10, 100, 1_000]
    let labelSeeds = notebook.seeds(5)
    let patience = 10, probeCeiling = notebook.size(200, quick: 20)
    let (inpainting, turned, rotationResult) = (pretext.inpainting, pretext.turned, pretext.rotationResult)
    func rotationClassifier(seed: UInt64) -> Classifier { pretext.rotationClassifier(seed) }
    notebook.section(
        "Pretraining with few labels",
        """
        A classifier (encoder 784-512-32, then a linear layer to 10 classes) trained on \
        \(budgets.map { grouped($0) }.joined(separator: ", ")) labelled training images (a tenth of each class): \
        from scratch, or on an encoder pretrained without labels, either kept frozen (only the last layer \
        learns: the lecture's approach 1) or fine-tuned (approach 2). Each frozen encoder's codes are \
        standardised (mean 0, variance 1 per unit over the unlabelled training images) so that one learning rate \
        suits them all. Every classifier trains until its loss on as many other labelled images as it trains \
        on (the same for every method: labelling 2 × 10 images buys 10 to train on and 10 to stop by) has not \
        improved for \(patience) epochs (Adam 1e-3, at most \(probeCeiling) epochs), and is then scored on all \
        \(grouped(test.count)) test images; \(counted(labelSeeds.count, "seed")) per budget (which images, and the \
        head's initialisation). The verdict compares the lecture's approach, the autoencoder's encoder, with \
        training from scratch; the other encoders are shown beside them.
        """)
    // `budget` labelled images to train on and `budget` more to stop by, budget / 10 of each class of
    // each, drawn by `seed`.
    func labelledSets(_ budget: Int, seed: UInt64) -> (train: Dataset, validation: Dataset) {
        var random = SeededGenerator(seed: seed)
        var fit: [Int] = [], stop: [Int] = []
        for label in test.classNames.indices {
            var ofClass = train.labels.indices.filter { train.labels[$0] == label }
            random.shuffle(&ofClass)
            fit += ofClass.prefix(budget / 10)
            stop += ofClass.dropFirst(budget / 10).prefix(budget / 10)
        }
        return (
            train.subset(fit, name: "\(train.name)-\(budget)-labels-\(seed)"),
            train.subset(stop, name: "\(train.name)-\(budget)-validation-\(seed)")
        )
    }
    // A layer that standardises `encoder`'s codes: (h − mean) / sd per unit, over unlabelled training images.
    func standardised(_ encoder: any Layer) -> any Layer {
        let codes = encoder(train.images(Array(0..<min(10_000, train.count))))
        let (mean, variance) = (codes.mean(alongAxis: 0), codes.variance(alongAxis: 0))
        let units = mean.count
        var unused = SeededGenerator(seed: 0)
        let scale = Dense(inputSize: units, outputSize: units, generator: &unused)
        scale.weight.value.fill(0)
        for j in 0..<units {
            let sd = max(variance[j].squareRoot(), 1e-3)
            scale.weight.value.data[j * units + j] = 1 / sd
            scale.bias.value.data[j] = -mean[j] / sd
        }
        return Sequential([encoder, scale])
    }
    // Test accuracy of a classifier on `features` (32 wide) trained on `labelled` to its best validation epoch.
    func accuracy(
        features: any Layer, frozen: Bool, labelled: (train: Dataset, validation: Dataset), seed: UInt64
    ) throws -> Double {
        var random = SeededGenerator(seed: seed)
        let head = Dense(inputSize: 32, outputSize: 10, generator: &random)
        let classifier = Classifier(
            features: frozen ? standardised(features) : features, head: head, classNames: test.classNames,
            trainsFeatures: !frozen)
        var trainer = Trainer(
            epochs: probeCeiling, batchSize: min(labelled.train.count, 50), seed: seed, checkpointPath: nil,
            optimizer: Adam(learningRate: 1e-3))
        trainer.earlyStopping = EarlyStopping(validation: labelled.validation, patience: patience)
        _ = try trainer.train(classifier, data: DatasetSplits(train: labelled.train, test: test.prefix(10)))
        var unused = SeededGenerator(seed: seed)
        return classifier.evaluate(test, generator: &unused).first { $0.0 == .testAccuracy }!.1
    }
    // A fresh copy of each pretrained encoder (fine-tuning changes its weights), by name.
    let (autoencoderRun, contextRun) = (
        try notebook.train(.ae, ModelKind.ae.defaultSettings, epochs: epochs).result,
        try notebook.train(.ae, inpainting, epochs: epochs).result
    )
    let pretrained: [(name: String, encoder: () throws -> any Layer)] = [
        (
            "autoencoder",
            { (try notebook.train(.ae, ModelKind.ae.defaultSettings, epochs: epochs).model as! Autoencoder).encoder }
        ),
        ("context encoder", { (try notebook.train(.ae, inpainting, epochs: epochs).model as! Autoencoder).encoder }),
        (
            "rotation",
            {
                let classifier = rotationClassifier(seed: notebook.request.seed)
                _ = try notebook.train(classifier, epochs: notebook.epochs(5), data: turned)
                return classifier.features
            }
        ),
    ]
    // accuracies[method][budget][seed], kept between runs (about a hundred small trainings).
    let methods = ["from scratch"] + pretrained.flatMap { ["\($0.name), frozen", "\($0.name), fine-tuned"] }
    let accuracies: [[[Double]]] = try notebook.measured(
        "few-labels|\(budgets)|\(labelSeeds)|\(patience)|\(probeCeiling)|\(autoencoderRun.identity)|\(contextRun.identity)|\(rotationResult.identity)"
    ) {
        var byMethod: [[[Double]]] = [
            try budgets.map { budget in
                try labelSeeds.map { seed in
                    let untrained = Autoencoder(hiddenSizes: [512], latentDimension: 32, seed: 1_000 + seed).encoder
                    return try accuracy(
                        features: untrained, frozen: false, labelled: labelledSets(budget, seed: seed), seed: seed)
                }
            }
        ]
        for (_, encoder) in pretrained {
            for frozen in [true, false] {
                byMethod.append(
                    try budgets.map { budget in
                        try labelSeeds.map { seed in
                            try accuracy(
                                features: try encoder(), frozen: frozen, labelled: labelledSets(budget, seed: seed),
                                seed: seed)
                        }
                    })
            }
        }
        return byMethod
    }
    let spreads = accuracies.map { $0.map(Spread.init) }
    notebook.table(
        ["encoder"] + budgets.map { "\(grouped($0)) labels" },
        methods.indices.map { m in [methods[m]] + spreads[m].map { $0.percent(1) } },
        caption: """
            Test accuracy, mean ± standard deviation over \(counted(labelSeeds.count, "seed")); chance is 10%.
            """)
    try notebook.plot(
        methods.indices.map { m in (methods[m], zip(budgets, spreads[m]).map { (Double($0), 100 * $1.mean) }) },
        x: "labelled images (log scale)", y: "test accuracy, %", "few-labels.png",
        title: "Test accuracy against the number of labels",
        caption: "Mean test accuracy over seeds for each encoder, against the labelled images it had.",
        axes: PlotAxes(logX: true, xTicks: budgets.map(Double.init)))
    // Decided in advance: the autoencoder's encoder, frozen (rows 1) and fine-tuned (row 2), against scratch (row 0).
    let (scratch, frozenAE, tunedAE) = (spreads[0], spreads[1], spreads[2])
    let helped = budgets.indices.filter {
        scratch[$0].isClearlyBelow(frozenAE[$0]) || scratch[$0].isClearlyBelow(tunedAE[$0])
    }
    let hurt = budgets.indices.filter {
        frozenAE[$0].isClearlyBelow(scratch[$0]) && tunedAE[$0].isClearlyBelow(scratch[$0])
    }
    notebook.verdict(
        claim: """
            Pretraining an encoder without labels helps “when labels are limited”, frozen (“trains only the small \
            classifier”) or fine-tuned (lecture 001)
            """,
        outcome: helped.count == budgets.count ? .reproduced : (helped.isEmpty ? .notReproduced : .partly),
        evidence: budgets.indices.map { b in
            "with \(grouped(budgets[b])) labels the autoencoder's encoder reaches \(frozenAE[b].percent(1)) frozen and \(tunedAE[b].percent(1)) fine-tuned, against \(scratch[b].percent(1)) from scratch (\(helped.contains(b) ? "clearly better" : (hurt.contains(b) ? "clearly worse" : "inside the seeds' spread")))"
        }.joined(separator: "; ").capitalisedFirst + ".")
}
