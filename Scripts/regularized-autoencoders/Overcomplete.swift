import Foundation
import Lab

// Overcomplete: a code wider than the image copies anything, unless sparsity stops it.
func overcomplete(
    _ notebook: Notebook, originals: Tensor, draws: inout SeededGenerator, plain: Variant, trained: VariantTraining,
    measure: FigureMean
) throws {
    notebook.section(
        "Overcomplete: copying, and how sparsity stops it",
        """
        With a code of 1,000 numbers for 784 pixels and no hidden layer, an autoencoder can learn the \
        identity and rebuild anything, clothes or not. Rebuilding images of uniform noise tells a copier \
        from a model of clothes. The sparse twin keeps sigmoid codes near 5% active (KL, weight 3). Both train \
        with Adam's rate annealed along half a cosine to 0, so that neither is measured in one of Adam's spikes.
        """)
    let copier = try trained("1,000 units") {
        ($0.hiddenSizes, $0.latentDimension, $0.reconstructionLoss) = ([], 1000, .mse)
    }
    let sparseWide = try trained("1,000 units, KL-sparse") {
        ($0.hiddenSizes, $0.latentDimension, $0.reconstructionLoss) = ([], 1000, .mse)
        ($0.codeActivation, $0.sparsity) = (.sigmoid, .kl(target: 0.05, weight: 3))
    }
    let noiseImages = Tensor.uniform(Shape(originals.shape[0], originals.shape[1]), low: 0, high: 1, using: &draws)
    let rows: [(label: String, images: Tensor)] = [
        ("noise", noiseImages), ("1,000 units", copier.model.reconstruct(noiseImages)!),
        ("sparse 1,000", sparseWide.model.reconstruct(noiseImages)!),
        ("clothes", originals), ("1,000 units", copier.model.reconstruct(originals)!),
        ("sparse 1,000", sparseWide.model.reconstruct(originals)!),
    ]
    try notebook.images(
        rows, "overcomplete.png", title: "Overcomplete codes on noise and on clothes",
        caption: "Uniform noise and test images, rebuilt by the 1,000-unit autoencoder and by its sparse twin.")
    notebook.table(
        ["model", "clothes MSE", "noise MSE", "contraction", "code values below 0.05"],
        [copier, sparseWide, plain].map { v in
            [
                v.name, fixed(v.measures.reconstructionMSE, 4), fixed(v.measures.noiseReconstructionMSE, 4),
                fixed(v.measures.contraction, 2),
                fixed(100 * v.measures.inactiveShare, 0) + "%",
            ]
        },
        caption:
            "The plain AE has 32 code units and a hidden layer. Predicting 0.5 for every pixel of uniform noise scores 0.083."
    )
    let (copied, stopped) = (measure("noiseReconstruction", copier), measure("noiseReconstruction", sparseWide))
    let copies = copied.isClearlyBelow(0.083 / 4)
    notebook.verdict(
        claim: """
            A code larger than the input “can trivially learn to just copy … (unless you regularize)”; sparsity gives \
            a bottleneck “without requiring a reduction in the number of nodes” (lecture 002)
            """,
        outcome: copies && copied.isClearlyBelow(stopped) ? .reproduced : (copies ? .partly : .notReproduced),
        evidence: """
            The 1,000-unit autoencoder rebuilds uniform noise to \(copied.text(4)) squared error per pixel (guessing 0.5 \
            everywhere: 0.083)\(copies ? ": it copies" : ": it does not copy"). Its sparse twin rebuilds noise to \(stopped.text(4)), \
            \(fixed(stopped.mean / copied.mean, 1))× \(stopped.mean > copied.mean ? "worse" : "as bad"), while keeping clothes at \
            \(fixed(sparseWide.measures.reconstructionMSE, 4)) (± bootstrap standard errors over images).
            """)
}
