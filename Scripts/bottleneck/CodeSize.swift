import Foundation
import Lab

// Error against code size: the default autoencoder with codes of 2 to 128 numbers.
func errorAgainstCodeSize(_ notebook: Notebook, test: Dataset, epochs: Int, originals: Tensor) throws {
    notebook.section(
        "Error against code size",
        """
        The default autoencoder (784-512-code-512-784, ReLU, binary cross-entropy with logits summed \
        over pixels) trained with codes of 2, 8, 32 and 128 numbers, \(counted(epochs, "epoch")) each. \
        Compression is 784 pixels over the code's size. Spreads: bootstrap standard errors over the \
        \(grouped(test.count)) test images.
        """)
    let codeSizes = [2, 8, 32, 128]
    let bySize = try codeSizes.map { size in
        var settings = ModelKind.ae.defaultSettings
        settings.latentDimension = size
        let (model, result) = try notebook.train(.ae, settings, epochs: epochs)
        return (model: model, result: result, errors: AutoencoderMeasures.perImageMSE(model, test: test))
    }
    try notebook.images(
        [("original", originals)] + zip(codeSizes, bySize).map { ("code \($0)", $1.model.reconstruct(originals)!) },
        "reconstructions.png", title: "Reconstructions by code size",
        caption: "One test image of each class (top) rebuilt from codes of 2, 8, 32 and 128 numbers.")
    let sizeErrors = bySize.map { Spread.meanOf($0.errors, seed: notebook.request.seed) }
    notebook.table(
        ["code size", "compression", "test BCE (nats per image)", "MSE per pixel"],
        try codeSizes.indices.map { i in
            [
                "\(codeSizes[i])", "\(784 / codeSizes[i])×", fixed(try bySize[i].result.final(.testLoss), 1),
                sizeErrors[i].text(4),
            ]
        })
    try notebook.plot(
        [("autoencoder", zip(codeSizes, sizeErrors).map { (Double($0), 1000 * $1.mean) })],
        x: "code size (numbers, log scale)", y: "test MSE per pixel × 1000", "error-by-size.png",
        title: "Test error against code size",
        caption: "Test squared error per pixel against the code's size.",
        axes: PlotAxes(logX: true, xTicks: codeSizes.map(Double.init)))
    // Each fourfold wider code's error over the narrower one's, on the same test images.
    let stepRatios = zip(bySize, bySize.dropFirst()).map {
        Spread.ratioOfMeans($1.errors, $0.errors, seed: notebook.request.seed)
    }
    let everyStepHelps = stepRatios.allSatisfy { $0.isClearlyBelow(1) }
    let steps = zip(sizeErrors, sizeErrors.dropFirst()).map { $0.mean - $1.mean }  // what each step gains
    let shrinking = zip(steps, steps.dropFirst()).allSatisfy { $1 < $0 }
    notebook.verdict(
        claim: "“Wider bottleneck: better reconstruction, less compression … it's a trade-off” (lecture 001)",
        outcome: everyStepHelps
            ? .reproduced : (stepRatios.contains { $0.isClearlyBelow(1) } ? .partly : .notReproduced),
        evidence: """
            From 2 to 128 numbers the squared error per pixel falls from \(sizeErrors[0].text(4)) to \
            \(sizeErrors[3].text(4)) (\(fixed(sizeErrors[0].mean / sizeErrors[3].mean, 1))× lower, for 64× less \
            compression). Each fourfold wider code multiplies it by \(stepRatios.map { $0.text(2) }.joined(separator: ", then ")) \
            (\(everyStepHelps ? "each clearly below 1" : "not each clearly below 1")), and the gains \
            \(shrinking ? "shrink" : "do not shrink") step by step (\(steps.map { fixed($0, 4) }.joined(separator: ", then ")))\
            \(shrinking ? ": each extra number buys less" : "").
            """)
}
