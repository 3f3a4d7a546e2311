import Foundation
import Lab

// Sparse codes: sigmoid code units with and without a KL penalty towards a mean activation of 5%.
func sparseCodes(
    _ notebook: Notebook, probe: Tensor, trained: VariantTraining, measure: FigureMean, ratio: FigureRatio
) throws -> (sigmoid: Variant, sparse: Variant) {
    notebook.section(
        "Sparse codes",
        """
        Sigmoid code units, with and without a KL sparsity penalty (target mean activation ρ = 0.05, \
        weight 3): each unit's mean activation over the batch is pulled towards 5%. The histogram counts \
        every code value of 2,000 test images.
        """)
    let sigmoid = try trained("sigmoid code") { $0.codeActivation = .sigmoid }
    let sparse = try trained("KL-sparse code") {
        ($0.codeActivation, $0.sparsity) = (.sigmoid, .kl(target: 0.05, weight: 3))
    }
    let histograms = [sigmoid, sparse].map { v in
        let codes = v.model.encode(probe)!.scalars
        let bins = (0..<20).map { bin in codes.filter { min(Int($0 * 20), 19) == bin }.count }
        return (
            name: v.name,
            points: bins.indices.map { (x: (Double($0) + 0.5) / 20, y: 100 * Double(bins[$0]) / Double(codes.count)) }
        )
    }
    try notebook.plot(
        histograms, x: "code value", y: "% of code values", "sparse-histogram.png",
        title: "Code activations, with and without sparsity",
        caption: "Share of code values in each twentieth of [0, 1], over 2,000 test images' codes.")
    notebook.table(
        ["code", "mean activation", "values below 0.05", "reconstruction MSE"],
        [sigmoid, sparse].map { v in
            [
                v.name, fixed(v.measures.meanCode, 3), fixed(100 * v.measures.inactiveShare, 1) + "%",
                fixed(v.measures.reconstructionMSE, 4),
            ]
        })
    let (offPlain, offSparse) = (measure("inactive", sigmoid), measure("inactive", sparse))
    notebook.verdict(
        claim: """
            A sparsity penalty makes the code rely on “activating a small number of neurons” for any given input \
            (lecture 002)
            """,
        outcome: offPlain.isClearlyBelow(offSparse) && offSparse.mean > 0.5
            ? .reproduced : (offPlain.isClearlyBelow(offSparse) ? .partly : .notReproduced),
        evidence: """
            With the KL penalty an image's code has \(offSparse.percent(1)) of its units below 0.05 (mean activation \
            \(fixed(sparse.measures.meanCode, 3)), target 0.05), against \(offPlain.percent(1)) without \
            (± bootstrap standard errors over test images); it pays \(ratio("reconstruction", sparse, sigmoid).text(2))× \
            the error.
            """)
    return (sigmoid, sparse)
}
