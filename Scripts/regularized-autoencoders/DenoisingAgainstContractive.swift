import Foundation
import Lab

// Denoising against contractive: which part of the autoencoder each regulariser makes robust.
func denoisingAgainstContractive(_ notebook: Notebook, test: Dataset, epochs: Int, noise: Corruption) throws {
    notebook.section(
        "Denoising against contractive: which part becomes robust",
        """
        Lecture 002 draws the line itself: “Denoising autoencoders make the reconstruction function (ie. decoder) \
        resist small but finite-sized perturbations of the input; contractive autoencoders make the feature \
        extraction function (ie. encoder) resist infinitesimal perturbations of the input.” Tested with the same \
        one-layer 784-32-784 autoencoder with sigmoid codes as in the contractive section, trained plain, \
        contractive (λ = 1, that section's strongest) and denoising (σ = 0.5, the denoising section's), \
        \(counted(notebook.seeds(3).count, "seed")) each. Measured on the test images: how far the code and the \
        output move per unit of an infinitesimal input change δ (σ = 0.01), how much the decoder magnifies a \
        change of code, and the error from a finite one (σ = 0.5 noise) against the clean image. The strengths \
        are the sections' own, not matched: a stronger penalty or more noise would move every number.
        """)
    let robustness = try [
        ("plain", Float(0), false), ("contractive, λ = 1", Float(1), false), ("denoising, σ = 0.5", Float(0), true),
    ]
    .map { name, lambda, denoises in
        (
            name: name,
            measures: try notebook.seeds(3).map { seed in
                var settings = ModelKind.ae.defaultSettings
                (settings.hiddenSizes, settings.codeActivation, settings.contractive) = ([], .sigmoid, lambda)
                if denoises { settings.corruption = noise }
                let model = try notebook.train(.ae, settings, epochs: epochs, seed: seed).model
                return AutoencoderMeasures.measure(model, test: test, seed: seed)!
            }
        )
    }
    func spread(_ figure: KeyPath<AutoencoderMeasures, Double>) -> [Spread] {
        robustness.map { Spread($0.measures.map { $0[keyPath: figure] }) }
    }
    let (codeMoves, outputMoves) = (spread(\.contraction), spread(\.outputContraction))
    // ‖Δg(f)‖ / ‖Δf‖ for the same δ: how much the decoder magnifies a change of code.
    let decoderGain = robustness.map { Spread($0.measures.map { $0.outputContraction / $0.contraction }) }
    let (fromNoise, clean) = (spread(\.denoisedMSE), spread(\.reconstructionMSE))
    notebook.table(
        [
            "model", "code moves ‖Δf‖/‖δ‖", "output moves ‖Δg(f)‖/‖δ‖", "decoder's gain", "error from σ = 0.5 noise",
            "clean error",
        ],
        robustness.indices.map { i in
            [
                robustness[i].name, codeMoves[i].text(3), outputMoves[i].text(3), decoderGain[i].text(2),
                fromNoise[i].text(4), clean[i].text(4),
            ]
        },
        caption: """
            Errors are MSE per pixel against the clean image; mean ± standard deviation over \
            \(counted(notebook.seeds(3).count, "training seed")).
            """)
    try notebook.plot(
        robustness.indices.map { i in (robustness[i].name, [(x: codeMoves[i].mean, y: fromNoise[i].mean)]) },
        x: "code moves per unit of input change", y: "error from σ = 0.5 noise (MSE per pixel)",
        "denoising-against-contractive.png", title: "Where each regulariser puts the robustness",
        caption: "Left: a stiller code (contractive); down: a cleaner output from a noisy input (denoising).",
        axes: PlotAxes(pointsOnly: true))
    let (plainRow, contractiveRow, denoisingRow) = (0, 1, 2)
    // The lecture's two halves: the contractive encoder the stiller under an infinitesimal change,
    // the denoising reconstruction the closer under a finite one.
    let stillerEncoder = codeMoves[contractiveRow].isClearlyBelow(codeMoves[denoisingRow])
    let closerFromNoise = fromNoise[denoisingRow].isClearlyBelow(fromNoise[contractiveRow])
    let denoisingStiller = codeMoves[denoisingRow].isClearlyBelow(codeMoves[contractiveRow])
    notebook.verdict(
        claim: """
            “Denoising autoencoders make the reconstruction function (ie. decoder) resist small but finite-sized \
            perturbations of the input; contractive autoencoders make the feature extraction function (ie. encoder) \
            resist infinitesimal perturbations” (lecture 002)
            """,
        outcome: stillerEncoder && closerFromNoise
            ? .reproduced : (stillerEncoder || closerFromNoise ? .partly : .notReproduced),
        evidence: """
            Under an infinitesimal change the contractive code moves \(codeMoves[contractiveRow].text(3)) and the \
            denoising one \(codeMoves[denoisingRow].text(3)) (plain \(codeMoves[plainRow].text(3))): \
            \(stillerEncoder ? "the contractive encoder is the stiller, as the lecture says" : (denoisingStiller ? "the denoising encoder is the stiller, against the lecture's division" : "at these strengths the two encoders are equally still")). \
            From finite (σ = 0.5) noise the denoising output is \(fromNoise[denoisingRow].text(4)) from the clean \
            image and the contractive one \(fromNoise[contractiveRow].text(4)) (plain \(fromNoise[plainRow].text(4))): \
            \(closerFromNoise ? "denoising resists finite noise best" : "no clear difference"). The decoders magnify a \
            change of code by \(decoderGain[contractiveRow].text(2)) (contractive), \(decoderGain[denoisingRow].text(2)) \
            (denoising) and \(decoderGain[plainRow].text(2)) (plain): \
            \(decoderGain[contractiveRow].mean > decoderGain[denoisingRow].mean ? "the contractive model's decoder undoes part of what its encoder gained" : "the denoising model's decoder is the one that amplifies").
            """)
}
