import Foundation
import Lab

// The page's first section: anomaly detection by reconstruction error, one model per held-out class.
func anomalyDetection(_ notebook: Notebook, data: DatasetSplits, epochs anomalyEpochs: Int) throws {
    let (train, test) = (data.train, data.test)
    notebook.section(
        "Anomaly detection by reconstruction error",
        """
        Train the default autoencoder on nine of the ten classes, \(counted(anomalyEpochs, "epoch")) each (ten \
        models); score every test image by how badly it is rebuilt (binary cross-entropy, nats per image); \
        the held-out class should score high. \
        The area under the ROC curve is the chance that a random held-out image scores above a random \
        familiar one (0.5: no better than guessing). Once for each class held out.
        """)
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
}
