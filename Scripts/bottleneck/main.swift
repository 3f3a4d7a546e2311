// The bottleneck: how wide should an autoencoder's code be, and does depth help?
//   swift run bottleneck            Fashion-MNIST, into Gallery/bottleneck/ (about 6 minutes on 2 cores)
//   swift run bottleneck --quick    synthetic digits, one epoch per model: seconds
import Foundation
import Lab

do {
    let notebook = try Notebook(
        "bottleneck", title: "The bottleneck: code size, PCA and depth",
        introduction: """
            An autoencoder squeezes each image through a code of a few numbers and must rebuild it from them. \
            The code's size is the trade: a wider code keeps more and compresses less. With linear units the \
            best a squeeze can do is PCA; non-linear layers, and more of them, should do better at the same size.
            """, order: 1)
    let test = try notebook.data().test
    let epochs = notebook.epochs(10)
    // One test image of each class, the same in every figure.
    let originals = test.images(test.classNames.indices.compactMap { test.labels.firstIndex(of: $0) })
    // Squared error of pixels in [0, 1], averaged over every test image and pixel.
    func testMSE(_ model: any GenerativeModel) -> Double {
        AutoencoderMeasures.measure(model, test: test, seed: notebook.request.seed)?.reconstructionMSE ?? .nan
    }

    notebook.section(
        "Four code sizes",
        """
        The default autoencoder (784-512-code-512-784, ReLU, binary cross-entropy with logits summed \
        over pixels) trained with codes of 2, 8, 32 and 128 numbers, \(counted(epochs, "epoch")) each.
        """)
    let codeSizes = [2, 8, 32, 128]
    let bySize = try codeSizes.map { size in
        var settings = ModelKind.ae.defaultSettings
        settings.latentDimension = size
        return try notebook.train(.ae, settings, epochs: epochs)
    }
    try notebook.images(
        [("original", originals)] + zip(codeSizes, bySize).map { ("code \($0)", $1.model.reconstruct(originals)!) },
        "reconstructions.png", title: "Reconstructions by code size",
        caption: "One test image of each class (top) rebuilt from codes of 2, 8, 32 and 128 numbers.")

    notebook.section(
        "Error against code size",
        """
        Each model's test loss (its own objective, nats per image) and its squared error per pixel, \
        against the code's size. Compression is 784 pixels over the code's size.
        """)
    let sizeErrors = bySize.map { testMSE($0.model) }
    notebook.table(
        ["code size", "compression", "test BCE (nats per image)", "MSE per pixel"],
        try codeSizes.indices.map { i in
            [
                "\(codeSizes[i])", "\(784 / codeSizes[i])×", fixed(try bySize[i].result.final(.testLoss), 1),
                fixed(sizeErrors[i], 4),
            ]
        })
    try notebook.plot(
        [("autoencoder", zip(codeSizes, sizeErrors).map { (log2(Double($0)), 1000 * $1) })],
        x: "log₂ code size", y: "test MSE per pixel × 1000", "error-by-size.png", title: "Test error against code size",
        caption: "Test squared error per pixel against the code's size (log scale).")
    let steps = zip(sizeErrors, sizeErrors.dropFirst()).map { $0 - $1 }  // what each fourfold wider code gains
    notebook.say(
        """
        From 2 to 128 numbers the squared error goes from \(fixed(sizeErrors[0], 4)) to \
        \(fixed(sizeErrors[3], 4)) per pixel (\(fixed(sizeErrors[0] / sizeErrors[3], 1))× lower) for a code 64 \
        times larger; each fourfold wider code gains \(steps.map { fixed($0, 4) }.joined(separator: ", then ")).
        """)

    notebook.section(
        "PCA, a linear autoencoder and a deep one, at 30 numbers",
        """
        Thirty numbers, as in Hinton & Salakhutdinov (2006). PCA is solved exactly; a linear autoencoder \
        (no hidden layer, no non-linearity) trained on the squared error should find the same subspace; \
        their deep autoencoder (784-1000-500-250-30, ReLU) can bend it. All three are trained on squared \
        error, so one number compares them.
        """)
    var linear = ModelKind.ae.defaultSettings
    (linear.latentDimension, linear.hiddenSizes, linear.reconstructionLoss) = (30, [], .mse)
    var deep = linear
    deep.hiddenSizes = [1000, 500, 250]
    let thirty: [(name: String, model: any GenerativeModel)] = [
        ("PCA", try notebook.train(.pca, ModelKind.pca.defaultSettings, epochs: 1).model),
        ("linear AE", try notebook.train(.ae, linear, epochs: epochs).model),
        ("deep AE", try notebook.train(.ae, deep, epochs: epochs).model),
    ]
    let thirtyErrors = thirty.map { testMSE($0.model) }
    try notebook.images(
        [("original", originals)] + thirty.map { ($0.name, $0.model.reconstruct(originals)!) },
        "thirty.png", title: "PCA, linear AE and deep AE at 30 numbers",
        caption: "Test images rebuilt from 30 numbers by PCA, a linear autoencoder and a deep autoencoder.")
    notebook.table(
        ["model", "parameters", "MSE per pixel", "against PCA"],
        thirty.indices.map { i in
            [
                thirty[i].name, "\(thirty[i].model.parameterCount)", fixed(thirtyErrors[i], 4),
                fixed(thirtyErrors[i] / thirtyErrors[0], 2) + "×",
            ]
        })
    notebook.say(
        """
        PCA is the best linear code, so the linear autoencoder can at most tie it: it reaches \
        \(fixed(thirtyErrors[1] / thirtyErrors[0], 2))× PCA's error. The deep autoencoder reaches \
        \(fixed(thirtyErrors[2] / thirtyErrors[0], 2))×.
        """)

    notebook.section(
        "Shallow against deep at the same code size",
        """
        Depth at a fixed code of 30 numbers: no hidden layer, one of 512, and three (1000-500-250), \
        all ReLU and squared error. Deeper is better, says the lecture: the table says by how much, \
        and at what cost in parameters.
        """)
    var oneLayer = linear
    oneLayer.hiddenSizes = [512]
    let depths: [(name: String, model: any GenerativeModel)] = [
        ("none (linear)", thirty[1].model), ("512", try notebook.train(.ae, oneLayer, epochs: epochs).model),
        ("1000-500-250", thirty[2].model),
    ]
    let depthErrors = depths.map { testMSE($0.model) }
    notebook.table(
        ["hidden layers", "parameters", "MSE per pixel"],
        depths.indices.map { i in
            [depths[i].name, "\(depths[i].model.parameterCount)", fixed(depthErrors[i], 4)]
        })
    let gain = 1 - depthErrors[2] / depthErrors[1]
    notebook.say(
        gain > 0
            ? "Three hidden layers beat one by \(fixed(100 * gain, 0))% in squared error, as the lecture says."
            : """
            Here three hidden layers did not beat one (\(fixed(depthErrors[2], 4)) against \(fixed(depthErrors[1], 4))): \
            the lecture's claim is not reproduced after \(counted(epochs, "epoch")).
            """)

    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "bottleneck"))
}
