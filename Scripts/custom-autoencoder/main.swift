// Your own model on the public API alone: a denoising convolutional autoencoder whose decoder
// upsamples and then convolves, trained by the Trainer with Adam on a cosine schedule.
//   swift run custom-autoencoder            Fashion-MNIST, 5 epochs, into Gallery/custom-autoencoder/
//   swift run custom-autoencoder --quick    synthetic digits, one epoch: seconds
import Foundation
import Lab

do {
    let notebook = try Notebook(
        "custom-autoencoder", title: "Your own model: a denoising conv AE",
        introduction: """
            A model built in a script from gen's layers, trained by gen's Trainer, drawn by gen's figures: the \
            starting point for an experiment of your own. Copy this file, change the network or the optimizer, run it.
            """, order: 90)
    let data = try notebook.data()
    let epochs = notebook.epochs(5)

    notebook.section(
        "The network",
        """
        Encoder: two stride-2 convolutions (1 → 16 → 32 channels, 28 → 14 → 7 pixels a side), then a Dense layer \
        to a 32-number code. Decoder: Dense back to 32 × 7 × 7, then twice nearest-neighbour upsampling followed \
        by a 3 × 3 convolution, which draws no checkerboard (Odena et al. 2016). Trained to rebuild clean images \
        from copies with Gaussian noise (σ = 0.5) added.
        """)
    var random = SeededGenerator(seed: notebook.request.seed)
    let encoder = Sequential(
        Reshape(itemShape: [1, 28, 28]),
        Conv2D(
            inputChannels: 1, outputChannels: 16, kernelSize: 4, stride: 2, padding: 1, activation: .relu,
            generator: &random),
        Conv2D(
            inputChannels: 16, outputChannels: 32, kernelSize: 4, stride: 2, padding: 1, activation: .relu,
            generator: &random),
        Flatten(), Dense(inputSize: 32 * 7 * 7, outputSize: 32, generator: &random))
    encoder.computesInputGradient = false  // its input is data
    let decoder = Sequential(
        Dense(inputSize: 32, outputSize: 32 * 7 * 7, activation: .relu, generator: &random),
        Reshape(itemShape: [32, 7, 7]),
        Upsample2D(factor: 2),
        Conv2D(inputChannels: 32, outputChannels: 16, kernelSize: 3, padding: 1, activation: .relu, generator: &random),
        Upsample2D(factor: 2),
        Conv2D(inputChannels: 16, outputChannels: 1, kernelSize: 3, padding: 1, generator: &random),
        Flatten())
    let model = Autoencoder(
        encoder: encoder, decoder: decoder, latentDimension: 32,
        objective: AutoencoderObjective(corruption: .gaussian(sigma: 0.5)),
        name: "custom-autoencoder", displayName: "Denoising conv AE (upsample, then convolve)")
    notebook.say("\(model.parameterCount) parameters. Loss: \(model.lossDescription).")

    notebook.section(
        "Training: the Trainer, Adam and a cosine schedule",
        """
        Adam's step size starts at 0.002 and follows half a cosine down to 0 over the run's steps \
        (\(counted(epochs, "epoch")) of batches of \(notebook.request.batchSize)).
        """)
    let steps = epochs * ((data.train.count + notebook.request.batchSize - 1) / notebook.request.batchSize)
    let result = try notebook.train(
        model, optimizer: Adam(learningRate: 2e-3, schedule: .cosine(steps: steps)), epochs: epochs)
    try notebook.plot(
        [("train (noisy inputs)", result.series(.trainLoss)), ("test (noisy inputs)", result.series(.testLoss))],
        x: "epoch", y: "BCE (nats per image)", "curves.png", title: "Training curves",
        caption: "The loss per image, epoch by epoch.")
    notebook.say(
        "Test loss after \(counted(result.epochs, "epoch")): \(fixed(try result.final(.testLoss), 1)) nats per image.")

    notebook.section(
        "Denoising test images", "Ten test images with fresh noise, the model's reconstructions, and the clean images.")
    var noise = SeededGenerator(seed: notebook.request.seed)
    let clean = data.test.images(Array(0..<10))
    let noisy = Corruption.gaussian(sigma: 0.5).applied(to: clean, generator: &noise)
    try notebook.images(
        [("noisy", noisy), ("denoised", model.reconstruct(noisy)!), ("clean", clean)], "denoising.png",
        title: "Denoising", caption: "Rows: the noisy input, the model's reconstruction, the clean image.")
    // The claim in a number: every test image with its own noise, the output's and the input's
    // squared error against the clean image, their ratio with a bootstrap spread over images.
    let measures = AutoencoderMeasures.measure(model, test: data.test, seed: notebook.request.seed)!
    let closer = Spread.ratioOfMeans(
        measures.perImage["noisyInput"]!, measures.perImage["denoised"]!, seed: notebook.request.seed)
    notebook.verdict(
        claim:
            "A denoising autoencoder learns “to reconstruct the original clean image” from a noisy one (lecture 002)",
        outcome: closer.isClearlyAbove(1) ? .reproduced : .notReproduced,
        evidence: """
            Its output is \(closer.text(1))× closer to the clean test image than the noisy input it was given (squared \
            error per pixel, \(fixed(measures.denoisedMSE, 4)) against \(fixed(measures.noisyInputMSE, 4)); ± a \
            bootstrap standard error over the test images).
            """)
    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "custom-autoencoder"))
}
