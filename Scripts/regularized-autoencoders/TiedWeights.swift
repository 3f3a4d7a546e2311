import Foundation
import Lab

// Tied weights: each decoder layer the transpose of its mirror, and what that costs.
func tiedWeights(_ notebook: Notebook, plain: Variant, trained: VariantTraining, ratio: FigureRatio) throws {
    notebook.section(
        "Tied weights",
        """
        Tying each decoder layer to the transpose of its mirror in the encoder halves the weights; \
        the question is what it costs in reconstruction.
        """)
    let tied = try trained("tied AE") { $0.tiedWeights = true }
    notebook.table(
        ["model", "parameters", "test BCE (nats per image)", "reconstruction MSE"],
        try [plain, tied].map { v in
            [
                v.name, "\(v.model.parameterCount)", fixed(try v.result.final(.testLoss), 1),
                fixed(v.measures.reconstructionMSE, 4),
            ]
        })
    let tiedCost = ratio("reconstruction", tied, plain)
    notebook.verdict(
        claim: "“It is possible to design autoencoder as W′ = Wᵀ” (lecture 004): half the weights",
        outcome: abs(Double(tied.model.parameterCount) / Double(plain.model.parameterCount) - 0.5) < 0.05
            ? .reproduced : .notReproduced,
        evidence: """
            Tied, the autoencoder has \(fixed(Double(tied.model.parameterCount) / Double(plain.model.parameterCount), 2))× \
            the plain one's parameters and trains to \(tiedCost.text(2))× its squared error (± a bootstrap standard error \
            over test images); the lecture does not say what tying costs: this is the measured price.
            """)
}
