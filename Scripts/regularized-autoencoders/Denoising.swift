import Foundation
import Lab

// Denoising: the plain autoencoder against one trained to rebuild clean images from noisy ones.
func denoising(
    _ notebook: Notebook, test: Dataset, originals: Tensor, noise: Corruption, draws: inout SeededGenerator,
    plain: Variant, trained: VariantTraining, ratio: FigureRatio
) throws {
    notebook.section(
        "Denoising",
        """
        The denoising autoencoder (Vincent et al. 2008) sees each image with Gaussian noise added \
        (σ = 0.5, drawn anew every epoch) and is scored on rebuilding the clean image. Both models get \
        the same noisy test images.
        """)
    let denoising = try trained("denoising AE") { $0.corruption = noise }
    let noisy = noise.applied(to: originals, generator: &draws)
    try notebook.images(
        [
            ("noisy input", noisy.clamped(to: 0...1)), ("plain AE", plain.model.reconstruct(noisy)!),
            ("denoising AE", denoising.model.reconstruct(noisy)!), ("clean", originals),
        ],
        "denoising.png", title: "Noisy input, both models' outputs, the clean image",
        caption: """
            Test images with Gaussian noise σ = 0.5 (shown clipped to [0, 1]), what each model makes of \
            them, and the clean image.
            """)
    notebook.table(
        ["model", "noisy input vs clean", "output vs clean", "clean reconstruction"],
        [plain, denoising].map { v in
            [
                v.name, fixed(v.measures.noisyInputMSE, 4), fixed(v.measures.denoisedMSE, 4),
                fixed(v.measures.reconstructionMSE, 4),
            ]
        }, caption: "MSE per pixel over the \(grouped(test.count)) test images, each with its own noise.")
    let closer = ratio("denoised", plain, denoising), cost = ratio("reconstruction", denoising, plain)
    notebook.verdict(
        claim: "“Add noise to input … but learn to reconstruct the original clean image” (lecture 002)",
        outcome: closer.isClearlyAbove(1)
            && denoising.measures.denoisedMSE < denoising.measures.noisyInputMSE ? .reproduced : .notReproduced,
        evidence: """
            From the same noisy test images the denoising AE's output is \(closer.text(2))× closer to the clean image \
            than the plain AE's (squared error; ± a bootstrap standard error over the \(grouped(test.count)) test \
            images), and \(fixed(denoising.measures.noisyInputMSE / denoising.measures.denoisedMSE, 1))× closer than its \
            noisy input. It pays \(cost.text(2))× the plain AE's error on clean images.
            """)
}
