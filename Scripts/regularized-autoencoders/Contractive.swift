import Foundation
import Lab

// Contractive: the penalty λ‖J_f(x)‖² at three strengths, and how far the code moves.
func contractive(_ notebook: Notebook, test: Dataset, epochs: Int) throws {
    notebook.section(
        "Contractive",
        """
        A contractive autoencoder (Rifai et al. 2011) adds λ‖J_f(x)‖²: the code should barely move \
        when the input moves a little. Its closed form holds for a one-layer encoder, so all three \
        models here are 784-32-784 with sigmoid codes. Contraction is the mean ‖f(x + δ) − f(x)‖ / ‖δ‖ \
        over test images for small noise δ ~ N(0, 0.01² I).
        """)
    // Each λ from three seeds: these one-layer models are quick to train.
    let lambdas: [Float] = [0, 0.1, 1]
    let contractive = try lambdas.map { lambda in
        try notebook.seeds(3).map { seed in
            var settings = ModelKind.ae.defaultSettings
            (settings.hiddenSizes, settings.codeActivation, settings.contractive) = ([], .sigmoid, lambda)
            let model = try notebook.train(.ae, settings, epochs: epochs, seed: seed).model
            return AutoencoderMeasures.measure(model, test: test, seed: seed)!
        }
    }
    let contraction = contractive.map { Spread($0.map(\.contraction)) }
    let contractiveError = contractive.map { Spread($0.map(\.reconstructionMSE)) }
    notebook.table(
        ["model", "contraction", "reconstruction MSE"],
        lambdas.indices.map { i in
            [
                lambdas[i] == 0 ? "λ = 0 (plain)" : "λ = \(lambdas[i])", contraction[i].text(3),
                contractiveError[i].text(4),
            ]
        }, caption: "Mean ± standard deviation over \(counted(notebook.seeds(3).count, "training seed")).")
    notebook.verdict(
        claim: "“For very similar inputs, the learned encoding should also be very similar” (lecture 002)",
        outcome: contraction[1].isClearlyBelow(contraction[0]) && contraction[2].isClearlyBelow(contraction[1])
            ? .reproduced : (contraction[2].isClearlyBelow(contraction[0]) ? .partly : .notReproduced),
        evidence: """
            The code moves \(contraction[0].text(3)) per unit of input change without the penalty, \
            \(contraction[1].text(3)) with λ = 0.1 and \(contraction[2].text(3)) with λ = 1 \
            (\(fixed(contraction[0].mean / contraction[2].mean, 1))× stiller), for \
            \(fixed(contractiveError[2].mean / contractiveError[0].mean, 2))× the reconstruction error.
            """)
}
