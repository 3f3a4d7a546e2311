// What autoencoders are used for: anomaly detection, pretraining with few labels (and two
// self-supervised pretext tasks), and compressing image patches.
//   swift run applications            Fashion-MNIST (and a photograph), into Gallery/applications/
//   swift run applications --quick    synthetic digits, one epoch per model: seconds
import Foundation
import Lab

do {
    let notebook = try Notebook(
        "applications", title: "Applications: anomalies, few labels, pretext tasks, compression",
        introduction: """
            An autoencoder that rebuilds its training images well rebuilds unfamiliar ones badly, learns \
            features without labels, and squeezes images into fewer bits. Each section puts one of these \
            uses to a measured test.
            """, order: 6)
    let data = try notebook.data()
    let (train, test) = (data.train, data.test)
    let epochs = notebook.epochs(10)
    let anomalyEpochs = notebook.epochs(5)  // half: anomaly detection trains ten models, one per held-out class
    let budgets = notebook.quick ? [10, 100] : [10, 100, 1_000]
    let labelSeeds = notebook.seeds(5)
    let patience = 10, probeCeiling = notebook.size(200, quick: 20)
    // One test image of each class, the same in every figure.
    let originals = test.images(test.classNames.indices.compactMap { test.labels.firstIndex(of: $0) })
    // Each test image's reconstruction error under the model's own loss, summed over pixels.
    func reconstructionErrors(_ model: any GenerativeModel, _ images: Dataset) -> [Double] {
        var errors: [Double] = []
        images.forEachChunk(of: 1_000, range: .unit) { x in
            let rebuilt = model.reconstruct(x)!
            errors += Models.reconstructionErrors(
                originals: x, reconstructions: rebuilt, loss: model.reconstructionLoss
            ).map(Double.init)
        }
        return errors
    }

    notebook.section(
        "Anomaly detection by reconstruction error",
        """
        Train the default autoencoder on nine of the ten classes, \(counted(anomalyEpochs, "epoch")) each (ten \
        models); score every test image by how badly it is rebuilt (binary cross-entropy, nats per image); \
        the held-out class should score high. \
        The area under the ROC curve is the chance that a random held-out image scores above a random \
        familiar one (0.5: no better than guessing). Once for each class held out.
        """)
    // Each test image's ink: the sum of its pixel values. A loss summed over pixels grows with it.
    var ink: [Double] = []
    test.forEachChunk(of: 1_000, range: .unit) { x in ink += x.sum(alongAxis: 1).scalars.map(Double.init) }
    var curves: [(name: String, points: [(x: Double, y: Double)])] = [], aucs: [Double] = []
    var inkAUCs: [Double] = [], perInkAUCs: [Double] = []
    for heldOut in 0..<notebook.size(10, quick: 2) {
        let familiar = train.subset(
            train.labels.indices.filter { train.labels[$0] != heldOut }, name: "\(train.name)-without-\(heldOut)")
        let data = DatasetSplits(train: familiar, test: test)
        let model = try notebook.train(.ae, ModelKind.ae.defaultSettings, epochs: anomalyEpochs, data: data).model
        let errors = reconstructionErrors(model, test), positives = test.labels.map { $0 == heldOut }
        let roc = receiverOperatingCharacteristic(scores: errors, positives: positives)
        aucs.append(roc.area)
        inkAUCs.append(receiverOperatingCharacteristic(scores: ink, positives: positives).area)
        perInkAUCs.append(
            receiverOperatingCharacteristic(scores: zip(errors, ink).map { $0 / max($1, 1) }, positives: positives).area
        )
        // enough points for a smooth line
        let shown = roc.points.indices.filter { $0 % 25 == 0 || $0 == roc.points.count - 1 }
        curves.append(
            (
                test.classNames[heldOut],
                shown.map { (roc.points[$0].falsePositiveRate, roc.points[$0].truePositiveRate) }
            ))
    }
    try notebook.plot(
        curves, x: "false positive rate", y: "true positive rate", "anomaly-roc.png",
        title: "ROC: each class held out in turn",
        caption: """
            Held-out test images against the other classes' test images, scored by reconstruction error; the dashed \
            diagonal is a guess (AUC 0.5).
            """, axes: PlotAxes(diagonal: "chance"))
    let meanAUC = aucs.reduce(0, +) / Double(aucs.count)
    func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
    notebook.table(
        ["held-out class", "AUC: error", "AUC: ink alone", "AUC: error per unit of ink"],
        curves.indices.map { [curves[$0].name, fixed(aucs[$0], 3), fixed(inkAUCs[$0], 3), fixed(perInkAUCs[$0], 3)] }
            + [["mean", fixed(meanAUC, 3), fixed(mean(inkAUCs), 3), fixed(mean(perInkAUCs), 3)]],
        caption: "Ink: an image's summed pixel values, a score that knows nothing of the model.")
    let (best, worst) = (aucs.indices.max { aucs[$0] < aucs[$1] }!, aucs.indices.min { aucs[$0] < aucs[$1] }!)
    let agreeing = aucs.indices.filter { (aucs[$0] - 0.5) * (inkAUCs[$0] - 0.5) > 0 }.count
    notebook.say(
        """
        Easiest to flag: \(curves[best].name) (AUC \(fixed(aucs[best], 3))); hardest: \(curves[worst].name) \
        (\(fixed(aucs[worst], 3))). \(aucs.filter { $0 < 0.5 }.count) of \(aucs.count) held-out classes score below \
        chance: their images are rebuilt better than the familiar ones. The error is summed over pixels, so it grows \
        with the ink an image carries; ink alone, with no model at all, lands on the same side of chance as the error \
        for \(agreeing) of the \(aucs.count) classes (mean AUC \(fixed(mean(inkAUCs), 3))). Divided by its ink, the \
        error scores a mean AUC of \(fixed(mean(perInkAUCs), 3)) (\(perInkAUCs.filter { $0 < 0.5 }.count) classes below \
        chance), against \(fixed(meanAUC, 3)) for the raw error.
        """)
    let auc = Spread(aucs)
    let aboveChance = aucs.filter { $0 > 0.5 }.count
    notebook.verdict(
        claim: "“If the input and reconstruction do not match this might signal an anomaly” (lecture 002)",
        outcome: auc.mean > 0.5 && aboveChance == aucs.count
            ? .reproduced : (auc.mean > 0.5 ? .partly : .notReproduced),
        evidence: """
            Over the \(aucs.count) held-out classes the AUC is \(auc.text(3)) (mean ± standard deviation over classes); \
            \(aboveChance) of \(aucs.count) are above chance, and ink alone, no model at all, scores \(fixed(mean(inkAUCs), 3))\
            \(aboveChance < aucs.count ? ": the error flags what is hard to rebuild, which is not always what is new" : "").
            """)

    notebook.section(
        "Two pretext tasks: filling a hole, telling a rotation",
        """
        Self-supervised tasks make labels from the images themselves. A context encoder (Pathak et al. \
        2016) fills a 12 × 12 square blanked at a random place, trained on squared error over the image; \
        a rotation classifier (Gidaris et al. 2018) tells which of 0°, 90°, 180°, 270° an image was \
        turned by. Both use the autoencoder's encoder shape, 784-512-32, so their encoders can stand in \
        for it below.
        """)
    var inpainting = ModelKind.ae.defaultSettings
    (inpainting.corruption, inpainting.reconstructionLoss) = (.square(side: 12), .mse)
    let contextEncoder = try notebook.train(.ae, inpainting, epochs: epochs).model
    var holes = SeededGenerator(seed: notebook.request.seed)
    let masked = Corruption.square(side: 12).applied(to: originals, generator: &holes)
    try notebook.images(
        [("masked", masked), ("filled", contextEncoder.reconstruct(masked)!), ("original", originals)],
        "inpainting.png",
        title: "Context encoder: masked, filled, original",
        caption: "Test images with a 12 × 12 hole, the context encoder's output, and the original.")
    // The rotation classifier: an encoder of the autoencoder's shape and a head of 4 classes.
    func rotationClassifier(seed: UInt64) -> Classifier {
        let encoder = Autoencoder(hiddenSizes: [512], latentDimension: 32, seed: seed).encoder
        var random = SeededGenerator(seed: seed)
        let head = Dense(inputSize: 32, outputSize: 4, generator: &random)
        return Classifier(
            features: encoder, head: head, classNames: ["0°", "90°", "180°", "270°"], name: "rotation-classifier",
            displayName: "Rotation classifier")
    }
    let turned = DatasetSplits(
        train: train.prefix(notebook.size(15_000, quick: 500)).rotations(name: "\(train.name)-rotations"),
        test: test.prefix(notebook.size(2_500, quick: 100)).rotations(name: "\(test.name)-rotations"))
    let rotation = rotationClassifier(seed: notebook.request.seed)
    let rotationResult = try notebook.train(rotation, epochs: notebook.epochs(5), data: turned)
    // Squared error inside the hole only, per test image: the context encoder's fill against the
    // training images' mean image (the best constant guess), on the same holes.
    let holeCount = notebook.size(2_000, quick: 200)
    var holeDraws = SeededGenerator(seed: notebook.request.seed &+ 5)
    let holeTest = test.images(Array(0..<holeCount))
    let holed = Corruption.square(side: 12).applied(to: holeTest, generator: &holeDraws)
    let filled = contextEncoder.reconstruct(holed)!
    var meanImage = [Double](repeating: 0, count: test.imageSize)
    train.forEachChunk(of: 1_000, range: .unit) { x in
        for r in 0..<x.shape[0] { for j in 0..<x.shape[1] { meanImage[j] += Double(x[r, j]) / Double(train.count) } }
    }
    var fillErrors: [Double] = [], meanErrors: [Double] = []
    for r in 0..<holeCount {
        // The hole: the pixels the corruption set to 0 that were not 0.
        let hole = (0..<test.imageSize).filter { holed[r, $0] == 0 && holeTest[r, $0] != 0 }
        guard !hole.isEmpty else { continue }
        fillErrors.append(
            hole.reduce(0.0) {
                let d = Double(filled[r, $1] - holeTest[r, $1]); return $0 + d * d
            } / Double(hole.count))
        meanErrors.append(
            hole.reduce(0.0) {
                let d = meanImage[$1] - Double(holeTest[r, $1]); return $0 + d * d
            } / Double(hole.count))
    }
    let fillRatio = Spread.ratioOfMeans(fillErrors, meanErrors, seed: notebook.request.seed)
    let rotationAccuracy = try rotationResult.final(.testAccuracy)
    let rotationError = (rotationAccuracy * (1 - rotationAccuracy) / Double(turned.test.count)).squareRoot()
    notebook.table(
        ["pretext task", "measure", "model", "baseline"],
        [
            [
                "filling a 12 × 12 hole", "squared error per pixel inside the hole",
                fixed(fillErrors.reduce(0, +) / Double(fillErrors.count), 4),
                fixed(meanErrors.reduce(0, +) / Double(meanErrors.count), 4) + " (the mean training image)",
            ],
            [
                "telling the rotation", "test accuracy",
                fixed(100 * rotationAccuracy, 1) + "% ± " + fixed(100 * rotationError, 1),
                "25% (guessing)",
            ],
        ],
        caption: """
            \(grouped(fillErrors.count)) test images with a hole (the pixels that were not already black); the rotation over \
            \(grouped(turned.test.count)) turned test images, ± its binomial standard error.
            """)
    notebook.verdict(
        claim: """
            Pretext tasks teach from the images alone: “predict the rotation degree”; fill a hole, which needs “to \
            understand the content of the entire image” (lecture 002)
            """,
        outcome: rotationAccuracy - 1.96 * rotationError > 0.25 && fillRatio.isClearlyBelow(1)
            ? .reproduced
            : (rotationAccuracy - 1.96 * rotationError > 0.25 || fillRatio.isClearlyBelow(1)
                ? .partly : .notReproduced),
        evidence: """
            The rotation classifier tells the turn of \(fixed(100 * rotationAccuracy, 1))% ± \(fixed(100 * rotationError, 1)) \
            of turned test images (chance 25%); the context encoder's fill has \(fillRatio.text(2))× the squared error of \
            the mean training image in the hole (± a bootstrap standard error over images).
            """)

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

    notebook.section(
        "Compressing 8 × 8 patches",
        """
        The lecture's codec: cut a photograph into 8 × 8 patches, code each with a 64-16-64 tanh \
        network, keep the 16 code values at 6 or 4 bits: 16 · 6 / 64 = 1.5 or 16 · 4 / 64 = 1 bit per \
        pixel, against 8 for the raw pixels. Trained on one photograph's overlapping patches, tested on \
        that photograph and on one it never saw. (A tanh output on pixels scaled to [-1, 1] is the \
        same network as a sigmoid output on pixels in [0, 1]: tanh(a) = 2 sigmoid(2a) − 1; it is \
        written here the second way.)
        """)
    // Photographs from Debian's python3-skimage, when installed; otherwise mosaics of test images.
    let photos = "/usr/lib/python3/dist-packages/skimage/data/"
    let (seen, unseen): (Dataset, Dataset)
    let photographsInstalled = ["camera.png", "astronaut.png"].allSatisfy {
        FileManager.default.fileExists(atPath: photos + $0)
    }
    if !notebook.quick && photographsInstalled {
        (seen, unseen) = (
            try PNGFolder.loadGrey(photos + "camera.png"), try PNGFolder.loadGrey(photos + "astronaut.png")
        )
        notebook.say(
            """
            Photographs: `camera.png` (the cameraman) to train on, `astronaut.png` (turned grey) to test, both \
            512 × 512 from Debian's python3-skimage.
            """)
    } else {
        let side = notebook.size(18, quick: 8)
        func mosaic(_ first: Int, _ name: String) -> Dataset {
            let tiles = test.images(Array(first..<(first + side * side)))
            return Dataset(
                greyImage: tiledImage(tiles, side: 28, rows: side, columns: side), height: 28 * side, width: 28 * side,
                name: name)
        }
        (seen, unseen) = (mosaic(0, "mosaic-a"), mosaic(side * side, "mosaic-b"))
        notebook.say(
            "No photograph found (Debian's python3-skimage ships some): mosaics of \(side * side) test images stand in."
        )
    }
    var weights = SeededGenerator(seed: notebook.request.seed)
    let codec = Autoencoder(
        encoder: Sequential(Dense(inputSize: 64, outputSize: 16, activation: .tanh, generator: &weights)),
        decoder: Sequential(Dense(inputSize: 16, outputSize: 64, activation: .sigmoid, generator: &weights)),
        latentDimension: 16, objective: AutoencoderObjective(reconstruction: .mse),
        name: "patch-codec", displayName: "8 × 8 patch codec")
    let trainingPatches = seen.patches(side: 8, stride: notebook.size(2, quick: 4), name: "\(seen.name)-patches")
    let unseenTiles = unseen.patches(side: 8, stride: 8, name: "\(unseen.name)-tiles")
    _ = try notebook.train(codec, epochs: epochs, data: DatasetSplits(train: trainingPatches, test: unseenTiles))
    // Codes in [-1, 1] rounded to `bits` bits (2^bits levels), or kept as they are.
    func quantised(_ codes: Tensor, bits: Int?) -> Tensor {
        guard let bits else { return codes }
        let steps = Float((1 << bits) - 1)
        return codes.map { (((min(max($0, -1), 1) + 1) / 2 * steps).rounded() / steps) * 2 - 1 }
    }
    var psnrRows: [[String]] = []
    // psnr[photo][variant]: the whole image's PSNR in dB.
    var psnr: [[Double]] = []
    // The same for JPEG at 1.5 and 1 bit per pixel.
    var jpegRows: [[String]] = [], jpegPSNR: [[Double]] = []
    for (role, photo) in [("trained on", seen), ("never seen", unseen)] {
        let tiles = photo.patches(side: 8, stride: 8, name: "tiles")
        let (rows, columns) = (photo.height / 8, photo.width / 8)
        let pixels = tiles.images(Array(0..<tiles.count))
        let original = tiledImage(pixels, side: 8, rows: rows, columns: columns)
        let codes = codec.encode(pixels)!
        // The middle 192 × 192 pixels of each version, at full size, for the figure.
        let side = min(rows * 8, columns * 8, 192)
        let crop = { (image: Tensor) in centralCrop(image, height: rows * 8, width: columns * 8, side: side) }
        var panels = [(name: "original", image: crop(original))], row = ["\(photo.name) (\(role))"],
            photoPSNR: [Double] = []
        for (label, bits) in [("float codes", nil), ("1.5 bit/px", 6), ("1 bit/px", 4)] as [(String, Int?)] {
            let decoded = codec.decode(quantised(codes, bits: bits))
            let rebuilt = tiledImage(decoded, side: 8, rows: rows, columns: columns)
            // 10 log₁₀(1 / MSE), pixels in [0, 1]; the MSE resampled over tiles for the spread.
            let tileErrors = (decoded - pixels).squared().mean(alongAxis: 1).scalars.map(Double.init)
            let spread = Spread.bootstrap(count: tileErrors.count, seed: notebook.request.seed) {
                10 * log10(1 / meanOver($0, of: tileErrors))
            }
            let whole = 10 * log10(1 / Double((rebuilt - original).squared().mean()))
            row.append(fixed(whole, 1) + " ± " + fixed(spread.standardDeviation, 1) + " dB")
            panels.append(("\(label), \(fixed(whole, 1)) dB", crop(rebuilt)))
            photoPSNR.append(whole)
        }
        psnr.append(photoPSNR)
        psnrRows.append(row)
        // JPEG (libgd) at the highest quality whose file fits each of the two rates.
        let levels = original.scalars
        var jpegRow = ["\(photo.name) (\(role))"], jpegAt: [Double] = []
        for rate in [1.5, 1.0] {
            let (quality, trip) = try JPEGRoundTrip.atMost(rate, grey: levels, height: rows * 8, width: columns * 8)
            let error = zip(trip.decoded, levels).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
            let decibels = 10 * log10(Double(levels.count) / error)
            jpegRow.append("\(fixed(decibels, 1)) dB (quality \(quality), \(fixed(trip.bitsPerPixel, 2)) bits/pixel)")
            jpegAt.append(decibels)
        }
        jpegRows.append(jpegRow)
        jpegPSNR.append(jpegAt)
        let grid = ImageGrid(layout: ImageLayout(channels: 1, height: side, width: side), rows: 1, columns: 1, scale: 1)
        try notebook.figure(
            Figures.sideBySide(
                panels.map { ($0.name, grid.canvas($0.image)) },
                title: notebook.title("\(photo.name), \(role)", data: photo.name)),
            "compression-\(photo.name).png",
            caption: "The middle of \(photo.name) (\(role)), rebuilt from its 8 × 8 patches' codes.")
    }
    notebook.table(
        ["image", "full precision", "1.5 bits/pixel", "1 bit/pixel"], psnrRows,
        caption: """
            Peak signal-to-noise ratio of the whole rebuilt image, 10 log₁₀(1 / MSE) with pixels in [0, 1]: higher is \
            better; the 8-bit original: ∞. ± a bootstrap standard error over the image's 8 × 8 tiles.
            """)
    notebook.table(
        ["image", "JPEG at ≤ 1.5 bits/pixel", "JPEG at ≤ 1 bit/pixel"], jpegRows,
        caption: """
            A real codec at the same rates: libgd's JPEG (libjpeg) at the highest quality whose file, headers \
            included, fits the rate; PSNR of the whole decoded image.
            """)
    let (seenAt, unseenAt) = (psnr[0][1], psnr[1][1])
    let picture = !notebook.quick && photographsInstalled ? "photograph" : "mosaic"
    notebook.verdict(
        claim: """
            A 64-16-64 network compresses 8 × 8 patches to 1.5 or 1 bit per pixel, and works on a “new image (trained on \
            the previous one)” (lecture 003)
            """,
        outcome: unseenAt >= 25 && seenAt - unseenAt < 3 ? .reproduced : (unseenAt >= 20 ? .partly : .notReproduced),
        evidence: """
            At 1.5 bits per pixel (an 8-bit original is 8) the \(picture) it trained on comes back at \
            \(psnrRows[0][2]) and the one it never saw at \(psnrRows[1][2]); at 1 bit per pixel \(psnrRows[0][3]) and \
            \(psnrRows[1][3]). \(unseenAt >= 25 ? "Both are recognisable at a glance (above 25 dB)" : "The unseen \(picture) falls below 25 dB, where blocks show")\
            \(seenAt - unseenAt < 3 ? ", and the new image costs under 3 dB: the codec learnt patches, not the one \(picture)" : ", and the new image costs \(fixed(seenAt - unseenAt, 1)) dB"). \
            JPEG at the same rates reaches \(fixed(jpegPSNR[1][0], 1)) and \(fixed(jpegPSNR[1][1], 1)) dB on the unseen \
            \(picture): \(jpegPSNR[1][0] > unseenAt ? "a real codec, with its transform and entropy coding, still does better" : "the 16-number code holds its own against it").
            """)

    let featureCount = notebook.size(10_000, quick: 500)
    notebook.section(
        "Codes as features: clusters and nearest neighbours",
        """
        “AEs can learn to cluster the data in unsupervised manner!” (lecture 001, after Hinton & Salakhutdinov \
        2006). Four ways to describe an image, none of which saw a label: the raw 784 pixels, PCA's 30 \
        components, the autoencoder's 32-number code and the VAE's 20 means. Each is judged twice: k-means with \
        10 clusters on the \(grouped(featureCount)) test images, scored by the normalised mutual information between \
        clusters and classes (1: the clusters are the classes; 0: unrelated), and a 1-nearest-neighbour classifier \
        that labels each test image with the class of its nearest of \(grouped(featureCount)) training images \
        (Hinton & Salakhutdinov's retrieval test). Distances are Euclidean in each space, as the codes come.
        """)
    let (trainPart, testPart) = (data.train.prefix(featureCount), data.test.prefix(featureCount))
    let describers: [(name: String, describe: (Tensor) throws -> Tensor)] = [
        ("pixels (784)", { $0 }),
        ("PCA (30)", { try notebook.train(.pca, ModelKind.pca.defaultSettings, epochs: 1).model.encode($0)! }),
        (
            "autoencoder code (32)",
            { try notebook.train(.ae, ModelKind.ae.defaultSettings, epochs: epochs).model.encode($0)! }
        ),
        (
            "VAE means (20)",
            { try notebook.train(.vae, ModelKind.vae.defaultSettings, epochs: epochs).model.encode($0)! }
        ),
    ]
    let clusterSeeds = notebook.seeds(5)
    struct FeatureScores: Codable { var mutualInformation: Spread, nearestNeighbour: Spread }
    let featureScores = try describers.map { describer in
        try notebook.measured("codes as features|\(describer.name)|\(featureCount)") { () -> FeatureScores in
            let (train, test) = (
                try describer.describe(trainPart.images(Array(0..<trainPart.count))),
                try describer.describe(testPart.images(Array(0..<testPart.count)))
            )
            let mutualInformation = Spread(
                clusterSeeds.map { seed in
                    normalisedMutualInformation(KMeans(test, clusters: 10, seed: seed).assignments, testPart.labels)
                })
            let correct = nearestRows(test, in: train).enumerated().map { i, nearest in
                trainPart.labels[nearest.index] == testPart.labels[i] ? 1.0 : 0.0
            }
            return FeatureScores(
                mutualInformation: mutualInformation,
                nearestNeighbour: Spread.meanOf(correct, seed: notebook.request.seed))
        }
    }
    notebook.table(
        ["features", "k-means NMI with the classes", "1-nearest-neighbour accuracy"],
        zip(describers, featureScores).map { describer, scores in
            [describer.name, scores.mutualInformation.text(3), scores.nearestNeighbour.percent()]
        },
        caption: """
            NMI: mean ± standard deviation over \(counted(clusterSeeds.count, "k-means start")); accuracy: ± a bootstrap \
            standard error over the \(grouped(featureCount)) test images.
            """)
    try notebook.plot(
        zip(describers, featureScores).map { describer, scores in
            (describer.name, [(x: scores.mutualInformation.mean, y: 100 * scores.nearestNeighbour.mean)])
        }, x: "k-means NMI with the classes", y: "1-nearest-neighbour accuracy (%)", "codes-as-features.png",
        title: "Four descriptions of an image, judged without training on labels",
        caption:
            "Each point one description: further right, its clusters follow the classes; higher, its neighbours share them.",
        axes: PlotAxes(pointsOnly: true))
    let (pixelScores, codeScores) = (featureScores[0], featureScores[2])
    notebook.verdict(
        claim:
            "“AEs can learn to cluster the data in unsupervised manner!” (lecture 001): the codes cluster by class better than the pixels",
        outcome: pixelScores.mutualInformation.isClearlyBelow(codeScores.mutualInformation)
            ? .reproduced
            : (codeScores.mutualInformation.mean > pixelScores.mutualInformation.mean ? .partly : .notReproduced),
        evidence: """
            k-means on the autoencoder's 32 numbers reaches an NMI of \(codeScores.mutualInformation.text(3)) with the \
            classes against \(pixelScores.mutualInformation.text(3)) on the 784 pixels (PCA \
            \(featureScores[1].mutualInformation.text(3)), VAE \(featureScores[3].mutualInformation.text(3))); the \
            nearest neighbour shares the class \(codeScores.nearestNeighbour.percent()) of the time in the code against \
            \(pixelScores.nearestNeighbour.percent()) in pixels: 25 times fewer numbers keep \
            \(codeScores.nearestNeighbour.mean >= pixelScores.nearestNeighbour.mean ? "as much" : "most") of what tells the classes apart to a nearest neighbour.
            """)

    notebook.section(
        "Image to image: super-resolution and watermark removal",
        """
        Two image-to-image tasks as a denoising autoencoder whose “noise” is the task: the input is the image at \
        half its resolution (each 2 × 2 block replaced by its mean: super-resolution, the task of lecture 002's \
        RAISR slide, which restores detail from a quarter of the pixels) or with a white stroke drawn across it \
        (“watermark removal”, lecture 002's application), and the target is the clean image. A 784-512-128-512-784 autoencoder (a code wide enough to keep detail) trained \
        \(counted(epochs, "epoch")) for each, against the classical answer: bicubic upsampling (Keys' cubic \
        convolution, a = −0.5) of the half-resolution image, and for the stroke a 5 × 5 median filter (it removes \
        lines narrower than 3 pixels, at the price of some detail). \
        Colourisation, the lectures' third such task, needs colour images, which gen has none of offline.
        """)
    // Keys' cubic convolution kernel (a = −0.5): the weight of a pixel t pixels away.
    func cubic(_ t: Float) -> Float {
        let t = abs(t)
        return t <= 1 ? (1.5 * t - 2.5) * t * t + 1 : (t < 2 ? ((-0.5 * t + 2.5) * t - 4) * t + 2 : 0)
    }
    // Each image of `halved` (its 2 × 2 blocks constant) sampled back at full size from its n × n means.
    func bicubicUpsampled(_ halved: Tensor) -> Tensor {
        let side = Int(Double(halved.shape.countPerItem).squareRoot()), n = side / 2
        let output = Tensor(zeros: halved.shape)
        for image in 0..<halved.shape[0] {
            func low(_ r: Int, _ c: Int) -> Float {
                halved[image, 2 * min(max(r, 0), n - 1) * side + 2 * min(max(c, 0), n - 1)]
            }
            for i in 0..<side {
                // The output pixel's centre in the low image's pixel coordinates.
                let y = (Float(i) + 0.5) / 2 - 0.5, y0 = Int(y.rounded(.down))
                for j in 0..<side {
                    let x = (Float(j) + 0.5) / 2 - 0.5, x0 = Int(x.rounded(.down))
                    var sum: Float = 0
                    for m in -1...2 {
                        for k in -1...2 {
                            sum += cubic(y - Float(y0 + m)) * cubic(x - Float(x0 + k)) * low(y0 + m, x0 + k)
                        }
                    }
                    output[image, i * side + j] = min(max(sum, 0), 1)
                }
            }
        }
        return output
    }
    // Each pixel replaced by the median of the 5 × 5 window around it (cut at the image's edges).
    func medianFiltered(_ images: Tensor) -> Tensor {
        let side = Int(Double(images.shape.countPerItem).squareRoot())
        let output = Tensor(zeros: images.shape)
        var window: [Float] = []
        window.reserveCapacity(25)
        for image in 0..<images.shape[0] {
            for i in 0..<side {
                for j in 0..<side {
                    window.removeAll(keepingCapacity: true)
                    for r in max(i - 2, 0)...min(i + 2, side - 1) {
                        for c in max(j - 2, 0)...min(j + 2, side - 1) { window.append(images[image, r * side + c]) }
                    }
                    window.sort()
                    output[image, i * side + j] = window[window.count / 2]
                }
            }
        }
        return output
    }
    let tasks: [(name: String, corruption: Corruption)] = [
        ("super-resolution", .lowResolution(factor: 2)), ("watermark removal", .stroke(width: 2)),
    ]
    let clean = test.images(Array(0..<test.count))
    // Per test image, squared error per pixel against the clean image: the input, the classical
    // answer, and the autoencoder's output.
    struct TaskErrors: Codable { var input: [Double], classical: [Double], autoencoder: [Double] }
    var taskRows: [(label: String, images: Tensor)] = [("clean", originals)]
    var taskErrors: [TaskErrors] = []
    for task in tasks {
        var settings = ModelKind.ae.defaultSettings
        (settings.latentDimension, settings.corruption) = (128, task.corruption)
        let model = try notebook.train(.ae, settings, epochs: epochs).model
        func corrupted(_ images: Tensor) -> Tensor {
            var draws = SeededGenerator(seed: notebook.request.seed &+ 77)
            return task.corruption.applied(to: images, generator: &draws)
        }
        func classical(_ input: Tensor) -> Tensor {
            if case .lowResolution = task.corruption { return bicubicUpsampled(input) }
            return medianFiltered(input)
        }
        let shown = corrupted(originals)
        taskRows.append((task.name == "super-resolution" ? "half resolution" : "marked", shown))
        taskRows.append((task.corruption == .lowResolution(factor: 2) ? "bicubic" : "5 × 5 median", classical(shown)))
        taskRows.append(("autoencoder", model.reconstruct(shown) ?? shown))
        let input = corrupted(clean)
        taskErrors.append(
            try notebook.measured("image to image|\(task.corruption.argument)") {
                TaskErrors(
                    input: rowMeanSquaredErrors(input, clean), classical: rowMeanSquaredErrors(classical(input), clean),
                    autoencoder: rowMeanSquaredErrors(model.reconstruct(input) ?? input, clean))
            })
    }
    try notebook.images(
        taskRows, "image-to-image.png", title: "Super-resolution and watermark removal by autoencoders",
        caption:
            "One test image of each class: clean; at half resolution, bicubic and the autoencoder; marked, a 5 × 5 median filter and the autoencoder."
    )
    let seed = notebook.request.seed
    notebook.table(
        ["task", "input", "classical answer", "autoencoder", "autoencoder / classical"],
        zip(tasks, taskErrors).map { task, errors in
            [
                task.name, Spread.meanOf(errors.input, seed: seed).text(4),
                task.corruption == .lowResolution(factor: 2)
                    ? Spread.meanOf(errors.classical, seed: seed).text(4) + " (bicubic)"
                    : Spread.meanOf(errors.classical, seed: seed).text(4) + " (5 × 5 median)",
                Spread.meanOf(errors.autoencoder, seed: seed).text(4),
                Spread.ratioOfMeans(errors.autoencoder, errors.classical, seed: seed).text(2) + "×",
            ]
        },
        caption: """
            Squared error per pixel against the clean test image, over the \(grouped(test.count)) test images, ± a \
            bootstrap standard error over them (the ratio's resamples pair each image's two errors).
            """)
    let ratios = taskErrors.map { Spread.ratioOfMeans($0.autoencoder, $0.classical, seed: seed) }
    let beaten = ratios.filter { $0.isClearlyBelow(1) }.count
    notebook.verdict(
        claim:
            "Autoencoders are used for “removing watermarks from images” (lecture 002), and for restoring detail as super-resolution does",
        outcome: beaten == tasks.count ? .reproduced : (beaten > 0 ? .partly : .notReproduced),
        evidence: """
            Against the clean test images the autoencoder's super-resolution has \(ratios[0].text(2))× the error of \
            bicubic upsampling, and its watermark removal \(ratios[1].text(2))× the error of a 5 × 5 median filter \
            (± bootstrap standard errors over the \(grouped(test.count)) test images)\(beaten == tasks.count ? ": it beats the classical answer at both" : ""). \
            Its outputs are also the autoencoder's: as smooth as its reconstructions of clean images.
            """)

    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "applications"))
}
