import Foundation
import Lab

// Two pretext tasks, filling a hole and telling a rotation: their models serve the few-labels section.
struct PretextModels {
    let inpainting: ModelSettings
    let turned: DatasetSplits
    let rotationResult: TrainingResult
    let rotationClassifier: (UInt64) -> Classifier
}

func pretextTasks(_ notebook: Notebook, data: DatasetSplits, epochs: Int, originals: Tensor) throws -> PretextModels {
    let (train, test) = (data.train, data.test)
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
    return PretextModels(
        inpainting: inpainting, turned: turned, rotationResult: rotationResult, rotationClassifier: rotationClassifier)
}
