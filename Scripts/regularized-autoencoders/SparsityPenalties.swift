import Foundation
import Lab

// L1 beside KL: the two sparsity penalties of the lecture, each beside its twin without it.
func sparsityPenalties(
    _ notebook: Notebook, probe: Tensor, plain: Variant, sigmoid: Variant, sparse: Variant,
    trained: VariantTraining, measure: FigureMean, ratio: FigureRatio
) throws {
    notebook.section(
        "L1 beside KL: two ways to ask for sparsity",
        """
        “There are two main ways by which we can impose this sparsity constraint”: an L1 penalty λ Σ |h| on the \
        activations, and the KL divergence between each unit's mean activation and a target (lecture 002). The \
        KL penalty of the sparse section acts on sigmoid units; here L1 (λ = 0.3) acts on the plain autoencoder's \
        unbounded code. Each beside its twin without the penalty: the share of an image's code values below 0.05, \
        the reconstruction error, and the size of the decoder's first weights, which can grow to undo a code the \
        penalty shrank (a sigmoid unit's activation cannot be shrunk and scaled back up so).
        """)
    let lOne = try trained("L1-sparse code") { $0.sparsity = .l1(weight: 0.3) }
    // ‖W‖ of the decoder's first layer (code → hidden), Frobenius.
    func decoderWeightNorm(_ v: Variant) -> Double {
        let first = ((v.model as! Autoencoder).decoder as! Sequential).layers[0] as! Dense
        return first.weight.value.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    }
    let magnitudes = [plain, lOne].map { v in
        let codes = v.model.encode(probe)!.scalars.map { Double(abs($0)) }
        let bins = (0..<30).map { bin in codes.filter { min(Int($0 * 10), 29) == bin }.count }
        return (
            name: v.name,
            points: bins.indices.map { (x: (Double($0) + 0.5) / 10, y: 100 * Double(bins[$0]) / Double(codes.count)) }
        )
    }
    try notebook.plot(
        magnitudes, x: "|code value| (the last bin holds everything from 2.9 up)", y: "% of code values",
        "l1-histogram.png", title: "Code magnitudes, with and without an L1 penalty",
        caption: "Share of |code values| in each tenth from 0 to 3, over 2,000 test images' codes.")
    let twins = [(plain, lOne), (sigmoid, sparse)]
    notebook.table(
        ["code", "mean |h|", "values below 0.05", "reconstruction MSE", "decoder's first weights ‖W‖"],
        twins.flatMap { [$0.0, $0.1] }.map { v in
            [
                v.name, fixed(v.measures.meanCodeMagnitude, 3), measure("inactive", v).percent(1),
                fixed(v.measures.reconstructionMSE, 4), fixed(decoderWeightNorm(v), 1),
            ]
        },
        caption: "Values below 0.05: the mean over test images of each image's share, ± a bootstrap standard error.")
    let sparser = twins.map { measure("inactive", $0.0).isClearlyBelow(measure("inactive", $0.1)) }
    notebook.verdict(
        claim:
            "L1 on the activations and KL towards a target activation are “two main ways” to impose sparsity (lecture 002)",
        outcome: sparser.allSatisfy { $0 } ? .reproduced : (sparser.contains(true) ? .partly : .notReproduced),
        evidence: """
            L1 takes the unbounded code from \(measure("inactive", plain).percent(1)) of values below 0.05 to \
            \(measure("inactive", lOne).percent(1)) (mean |h| \(fixed(plain.measures.meanCodeMagnitude, 2)) → \
            \(fixed(lOne.measures.meanCodeMagnitude, 2)), decoder weights \(fixed(decoderWeightNorm(plain), 1)) → \
            \(fixed(decoderWeightNorm(lOne), 1))); KL takes the sigmoid code from \(measure("inactive", sigmoid).percent(1)) \
            to \(measure("inactive", sparse).percent(1)). Reconstruction costs \(ratio("reconstruction", lOne, plain).text(2))× \
            and \(ratio("reconstruction", sparse, sigmoid).text(2))× (± bootstrap standard errors over test images).
            """)
}
