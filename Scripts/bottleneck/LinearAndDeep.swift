import Foundation
import Lab

// PCA, a linear autoencoder and a deep one at 30 numbers: the linear one should find PCA's subspace.
func pcaLinearAndDeep(
    _ notebook: Notebook, test: Dataset, epochs: Int, originals: Tensor, budget: Int, validation: Dataset,
    trained: BudgetedTraining
) throws {
    notebook.section(
        "PCA, a linear autoencoder and a deep one, at 30 numbers",
        """
        Thirty numbers, as in Hinton & Salakhutdinov (2006). PCA is solved exactly; a linear autoencoder \
        (no hidden layer, no non-linearity) trained on the squared error for \(budget) epochs (Adam's rate annealed \
        to 0 along half a cosine, early stopping on \(validation.count) held-out training images) should find the \
        same subspace; their deep autoencoder \
        (784-1000-500-250-30, ReLU) can bend it. All three are trained on squared error, so one number \
        compares them. Spreads: bootstrap standard errors over the \(test.count) test images.
        """)
    var linear = ModelKind.ae.defaultSettings
    (linear.latentDimension, linear.hiddenSizes, linear.reconstructionLoss) = (30, [], .mse)
    var deep = linear
    deep.hiddenSizes = [1000, 500, 250]
    let pca = try notebook.train(.pca, ModelKind.pca.defaultSettings, epochs: 1).model
    let linearRun = try trained([], notebook.request.seed, budget)
    let thirty: [(name: String, model: any GenerativeModel)] = [
        ("PCA", pca), ("linear AE", linearRun.model), ("deep AE", try notebook.train(.ae, deep, epochs: epochs).model),
    ]
    let thirtyErrors = thirty.map { AutoencoderMeasures.perImageMSE($0.model, test: test) }
    // Each model's mean error over PCA's, resampled over the same test images.
    let ratios = thirtyErrors.map { Spread.ratioOfMeans($0, thirtyErrors[0], seed: notebook.request.seed) }
    try notebook.images(
        [("original", originals)] + thirty.map { ($0.name, $0.model.reconstruct(originals)!) },
        "thirty.png", title: "PCA, linear AE and deep AE at 30 numbers",
        caption: "Test images rebuilt from 30 numbers by PCA, a linear autoencoder and a deep autoencoder.")
    notebook.table(
        ["model", "parameters", "MSE per pixel", "against PCA"],
        thirty.indices.map { i in
            [
                thirty[i].name, grouped(thirty[i].model.parameterCount),
                fixed(thirtyErrors[i].reduce(0, +) / Double(test.count), 4), ratios[i].text(3) + "×",
            ]
        })
    let (linearRatio, deepRatio) = (ratios[1], ratios[2])
    let matchesPCA = linearRatio.mean < 1.05
    notebook.verdict(
        claim: """
            “Using all linear layers with Euclidean loss is equivalent to PCA”, and deep autoencoders “summarise the \
            information better” than PCA (lecture 002)
            """,
        outcome: matchesPCA && deepRatio.isClearlyBelow(1)
            ? .reproduced : (deepRatio.mean < 1 || matchesPCA ? .partly : .notReproduced),
        evidence: """
            The linear autoencoder, after \(linearRun.stoppedAt.map { "early stopping (best epoch \($0))" } ?? counted(budget, "epoch")), reaches \
            \(linearRatio.text(3))× PCA's error (PCA is the best linear code for the training images, so about 1 is \
            the best a linear code can do); the deep autoencoder \(deepRatio.text(3))× after \(counted(epochs, "epoch")).
            """)
}
