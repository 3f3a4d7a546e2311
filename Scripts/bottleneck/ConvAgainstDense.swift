import Foundation
import Lab

// A convolutional autoencoder against the dense one, at the same code size.
func convolutionalAgainstDense(_ notebook: Notebook, test: Dataset, epochs: Int, originals: Tensor) throws {
    notebook.section(
        "Convolutional against dense, at one code size",
        """
        “It doesn't have to use dense layers. It can use convolutional layers to learn which is better for video, \
        image and series data” (lecture 002). The default autoencoder (784-512-32, dense) against the \
        convolutional one with the same 32-number code (Conv 1→32→64, 4 × 4, stride 2, then Dense to the code; the \
        decoder mirrors it with transposed convolutions), both \(counted(epochs, "epoch")) with cross-entropy: \
        the same data, code size and loss, and a third of the weights for the convolutional one.
        """)
    let (dense, denseResult) = try notebook.train(.ae, ModelKind.ae.defaultSettings, epochs: epochs)
    let (convolutional, convResult) = try notebook.train(.ae, ModelKind.ae.defaultSettings(.conv), epochs: epochs)
    let architectures: [(name: String, model: any GenerativeModel, result: TrainingResult)] = [
        ("dense AE", dense, denseResult), ("conv AE", convolutional, convResult),
    ]
    let architectureErrors = try architectures.map { a in
        try notebook.measured("architecture errors|\(a.name)") { AutoencoderMeasures.perImageMSE(a.model, test: test) }
    }
    try notebook.images(
        [("test images", originals)] + architectures.map { ($0.name, $0.model.reconstruct(originals) ?? originals) },
        "dense-against-conv.png", title: "Rebuilt from 32 numbers by a dense and a convolutional autoencoder",
        caption: "One test image of each class and each autoencoder's reconstruction.")
    notebook.table(
        ["autoencoder", "parameters", "test BCE (nats per image)", "squared error per pixel"],
        try architectures.indices.map { i in
            [
                architectures[i].name, grouped(architectures[i].model.parameterCount),
                fixed(try architectures[i].result.final(.testLoss), 1),
                Spread.meanOf(architectureErrors[i], seed: notebook.request.seed).text(5),
            ]
        }, caption: "On the 10,000 test images; ± a bootstrap standard error over them.")
    let convRatio = Spread.ratioOfMeans(architectureErrors[1], architectureErrors[0], seed: notebook.request.seed)
    notebook.verdict(
        claim: "Convolutional layers are “better for video, image and series data” (lecture 002, of autoencoders)",
        outcome: convRatio.isClearlyBelow(1) ? .reproduced : (convRatio.isClearlyAbove(1) ? .notReproduced : .partly),
        evidence: """
            At the same 32-number code, with \(grouped(convolutional.parameterCount)) weights against \
            \(grouped(dense.parameterCount)), the convolutional autoencoder's squared error is \(convRatio.text(2))× \
            the dense one's (± a bootstrap standard error over test images) after \(counted(epochs, "epoch")) each.
            """)
}
