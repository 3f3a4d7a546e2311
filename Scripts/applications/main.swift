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
    let seeds: [UInt64] = notebook.quick ? [0] : [0, 1, 2]
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
        caption: "Held-out test images against the other classes' test images, scored by reconstruction error.")
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
        chance: their images are rebuilt better than the familiar ones. Why: the error is summed over pixels, so it \
        grows with the ink an image carries, and ink alone, with no model at all, lands on the same side of chance \
        for \(agreeing) of the \(aucs.count) classes (mean AUC \(fixed(mean(inkAUCs), 3))). Divided by its ink, the \
        error scores a mean AUC of \(fixed(mean(perInkAUCs), 3)) (\(perInkAUCs.filter { $0 < 0.5 }.count) classes below \
        chance), against \(fixed(meanAUC, 3)) for the raw error. An autoencoder flags what it cannot rebuild, which is \
        not the same as what it has not seen.
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
    notebook.say(
        """
        The rotation classifier tells the turn of \
        \(fixed(100 * (try rotationResult.final(.testAccuracy)), 1))% of \(turned.test.count) \
        turned test images (chance: 25%), after \(counted(rotationResult.epochs, "epoch")) over \
        \(turned.train.count) turned training images.
        """)

    notebook.section(
        "Pretraining with few labels",
        """
        100 labelled training images, 10 of each class. A classifier (encoder 784-512-32, then a \
        linear layer to 10 classes) is trained on them from scratch, or on an encoder pretrained \
        without labels, kept frozen (only the last layer learns: the lecture's approach 1) or \
        fine-tuned (approach 2). Test accuracy over all 10,000 test images, averaged over \
        \(counted(seeds.count, "seed")) (which 100 images, and the head's initialisation).
        """)
    // Test accuracy of a classifier on `features` (32 wide) trained on `labelled`.
    func accuracy(features: any Layer, frozen: Bool, labelled: Dataset, seed: UInt64) throws -> Double {
        var random = SeededGenerator(seed: seed)
        let head = Dense(inputSize: 32, outputSize: 10, generator: &random)
        let classifier = Classifier(
            features: features, head: head, classNames: test.classNames, trainsFeatures: !frozen)
        let trainer = Trainer(
            // 200 steps; too quick to cache
            epochs: 50, batchSize: 25, seed: seed, checkpointPath: nil, optimizer: Adam(learningRate: 1e-3))
        _ = try trainer.train(classifier, data: DatasetSplits(train: labelled, test: test.prefix(100)))
        var unused = SeededGenerator(seed: seed)
        return classifier.evaluate(test, generator: &unused).first { $0.0 == .testAccuracy }!.1
    }
    // A fresh copy of each pretrained encoder (fine-tuning changes its weights), by name.
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
    var rows: [[String]] = [], means: [(name: String, value: Double)] = []
    func report(_ name: String, _ accuracies: [Double]) {
        let mean = accuracies.reduce(0, +) / Double(accuracies.count)
        rows.append([name, fixed(100 * mean, 1) + "%", accuracies.map { fixed(100 * $0, 1) }.joined(separator: ", ")])
        means.append((name, mean))
    }
    let labelledSets = seeds.map { seed -> Dataset in
        var random = SeededGenerator(seed: seed)
        let chosen = test.classNames.indices.flatMap { label in
            var ofClass = train.labels.indices.filter { train.labels[$0] == label }
            random.shuffle(&ofClass)
            return ofClass.prefix(10)
        }
        return train.subset(chosen, name: "\(train.name)-100-labels-\(seed)")
    }
    report(
        "from scratch",
        try zip(seeds, labelledSets).map { seed, labelled in
            let untrained = Autoencoder(hiddenSizes: [512], latentDimension: 32, seed: 1_000 + seed).encoder
            return try accuracy(features: untrained, frozen: false, labelled: labelled, seed: seed)
        })
    for (name, encoder) in pretrained {
        for frozen in [true, false] {
            report(
                "\(name), \(frozen ? "frozen" : "fine-tuned")",
                try zip(seeds, labelledSets).map { seed, labelled in
                    try accuracy(features: try encoder(), frozen: frozen, labelled: labelled, seed: seed)
                })
        }
    }
    notebook.table(
        ["encoder", "mean test accuracy", "each seed"], rows,
        caption: "100 labelled images; 50 epochs of 4 batches of 25; Adam 1e-3.")
    let bestPretrained = means.dropFirst().max { $0.value < $1.value }!
    notebook.say(
        """
        From scratch: \(fixed(100 * means[0].value, 1))%. The best pretrained encoder, \(bestPretrained.name), reaches \
        \(fixed(100 * bestPretrained.value, 1))% (\(fixed(100 * (bestPretrained.value - means[0].value), 1)) points against scratch); \
        \(means.filter { $0.name.hasSuffix("frozen") && $0.value < means[0].value }.count) of the 3 frozen encoders do worse \
        than training everything from scratch.
        """)

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
    for (role, photo) in [("trained on", seen), ("never seen", unseen)] {
        let tiles = photo.patches(side: 8, stride: 8, name: "tiles")
        let (rows, columns) = (photo.height / 8, photo.width / 8)
        let pixels = tiles.images(Array(0..<tiles.count))
        let original = tiledImage(pixels, side: 8, rows: rows, columns: columns)
        let codes = codec.encode(pixels)!
        // The middle 192 × 192 pixels of each version, at full size, for the figure.
        let side = min(rows * 8, columns * 8, 192)
        let crop = { (image: Tensor) in centralCrop(image, height: rows * 8, width: columns * 8, side: side) }
        var panels = [(name: "original", image: crop(original))], row = ["\(photo.name) (\(role))"]
        for (label, bits) in [("float codes", nil), ("1.5 bit/px", 6), ("1 bit/px", 4)] as [(String, Int?)] {
            let rebuilt = tiledImage(codec.decode(quantised(codes, bits: bits)), side: 8, rows: rows, columns: columns)
            let psnr = 10 * log10(1 / Double((rebuilt - original).squared().mean()))  // pixels in [0, 1]
            row.append(fixed(psnr, 1) + " dB")
            panels.append(("\(label), \(fixed(psnr, 1)) dB", crop(rebuilt)))
        }
        psnrRows.append(row)
        let grid = ImageGrid(layout: ImageLayout(channels: 1, height: side, width: side), rows: 1, columns: 1, scale: 1)
        try notebook.figure(
            Figures.sideBySide(
                panels.map { ($0.name, grid.canvas($0.image)) },
                title: notebook.title("\(photo.name), \(role)")),
            "compression-\(photo.name).png",
            caption: "The middle of \(photo.name) (\(role)), rebuilt from its 8 × 8 patches' codes.")
    }
    notebook.table(
        ["image", "full precision", "1.5 bits/pixel", "1 bit/pixel"], psnrRows,
        caption: """
            Peak signal-to-noise ratio of the whole rebuilt image, 10 log₁₀(1 / MSE) with pixels in [0, 1]: higher is \
            better; the 8-bit original: ∞.
            """)

    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "applications"))
}
