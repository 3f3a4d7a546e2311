import Foundation
import Lab

// Squared error against binary cross-entropy: the same autoencoder under each likelihood, judged by both.
func squaredErrorAgainstCrossEntropy(
    _ notebook: Notebook, test: Dataset, epochs: Int, seeds: [UInt64], originals: Tensor
) throws {
    notebook.section(
        "Squared error against binary cross-entropy",
        """
        The reconstruction loss is a likelihood. Binary cross-entropy treats each pixel as a coin with the decoder's \
        sigmoid output as its mean (Bernoulli); squared error treats it as a Gaussian around the decoder's output \
        with a fixed variance. The default autoencoder (784-512-32, ReLU) trained \(counted(epochs, "epoch")) with \
        each, \(counted(seeds.count, "seed")), and both judged by both measures on the test images. Fashion-MNIST's \
        pixels are grey levels in [0, 1], not coins: the Bernoulli is a stand-in there.
        """)
    // Per test image: squared error and cross-entropy of the pixel means, clamped to half an 8-bit
    // level from 0 and 1 for the logarithms (the squared-error model's outputs are clamped into
    // [0, 1] and may be exactly 0 or 1, which cross-entropy would call infinitely wrong).
    let losses: [ReconstructionLoss] = [.bce, .mse]
    let likelihoods = try losses.map { loss in
        try seeds.map { seed -> (squared: Double, crossEntropy: Double, model: any GenerativeModel) in
            var settings = ModelKind.ae.defaultSettings
            settings.reconstructionLoss = loss
            let model = try notebook.train(.ae, settings, epochs: epochs, seed: seed).model
            let measures = try notebook.measured("likelihood|\(loss.rawValue)|\(seed)") {
                () -> [Double] in
                var sums = (0.0, 0.0)
                test.forEachChunk(range: .unit) { x in
                    guard let rebuilt = model.reconstruct(x) else { return }
                    for i in 0..<x.count {
                        let (target, mean) = (
                            Double(x.data[i]), min(max(Double(rebuilt.data[i]), 1.0 / 510), 1 - 1.0 / 510)
                        )
                        sums.0 += (target - mean) * (target - mean)
                        sums.1 -= target * log(mean) + (1 - target) * log(1 - mean)
                    }
                }
                return [sums.0 / Double(test.count * test.imageSize), sums.1 / Double(test.count)]
            }
            return (measures[0], measures[1], model)
        }
    }
    try notebook.images(
        [("test images", originals)]
            + zip(["cross-entropy", "squared error"], likelihoods).map { name, runs in
                (name, runs[0].model.reconstruct(originals) ?? originals)
            },
        "likelihoods.png", title: "Rebuilt under each likelihood",
        caption: "One test image of each class and its reconstruction by each autoencoder (the first seed).")
    let squared = likelihoods.map { Spread($0.map(\.squared)) }
    let crossEntropy = likelihoods.map { Spread($0.map(\.crossEntropy)) }
    notebook.table(
        ["trained with", "output means", "squared error per pixel", "cross-entropy per image"],
        [
            ["binary cross-entropy", "sigmoid(output): a Bernoulli mean", squared[0].text(5), crossEntropy[0].text(2)],
            [
                "squared error", "output, clamped to [0, 1]: a Gaussian mean", squared[1].text(5),
                crossEntropy[1].text(2),
            ],
        ], caption: "On the 10,000 test images; mean ± standard deviation over seeds.")
    let eachWinsItsOwn = crossEntropy[0].isClearlyBelow(crossEntropy[1]) && squared[1].isClearlyBelow(squared[0])
    notebook.verdict(
        claim: """
            “If the input values are in the range [0, 1] then we typically use binary cross-entropy, otherwise, we use \
            the mean squared error” (lecture 002): on [0, 1] images, cross-entropy should rebuild better
            """,
        outcome: squared[0].isClearlyBelow(squared[1]) && crossEntropy[0].isClearlyBelow(crossEntropy[1])
            ? .reproduced : (eachWinsItsOwn ? .partly : .notReproduced),
        evidence: """
            Trained with cross-entropy: \(squared[0].text(5)) squared error per pixel and \
            \(crossEntropy[0].text(2)) cross-entropy per image; trained with squared error: \(squared[1].text(5)) and \
            \(crossEntropy[1].text(2)). \(eachWinsItsOwn ? "Each loss wins by its own measure: the choice is which likelihood the pixels are judged by, not a better or worse autoencoder." : (squared[0].isClearlyBelow(squared[1]) && crossEntropy[0].isClearlyBelow(crossEntropy[1]) ? "Cross-entropy wins by both measures." : (squared[1].isClearlyBelow(squared[0]) && crossEntropy[1].isClearlyBelow(crossEntropy[0]) ? "Squared error wins by both measures." : "Neither wins clearly by both measures.")))
            """)
}
