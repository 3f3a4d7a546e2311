// The bottleneck: how wide should an autoencoder's code be, and does depth help?
//   swift run bottleneck            Fashion-MNIST, into Gallery/bottleneck/ (about 15 minutes on one core)
//   swift run bottleneck --quick    synthetic digits, one epoch per model: seconds
import Foundation
import Lab

// An autoencoder with a code of 30 and these hidden layers, trained from a seed on a budget of epochs
// (main.swift's `trained`): the model, its test error, and the best epoch if early stopping kept one.
typealias BudgetedTraining = (_ hidden: [Int], _ seed: UInt64, _ epochs: Int) throws -> BudgetedRun
typealias BudgetedRun = (model: any GenerativeModel, mse: Double, stoppedAt: Int?)

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
    let seeds = notebook.seeds(3)
    // Squared error of pixels in [0, 1], averaged over every test image and pixel.
    func testMSE(_ model: any GenerativeModel) -> Double {
        AutoencoderMeasures.measure(model, test: test, seed: notebook.request.seed)?.reconstructionMSE ?? .nan
    }
    // Autoencoders with a code of 30 and squared error on a budget of epochs: Adam's rate follows
    // half a cosine down to 0 over the budget, and early stopping on held-out training images
    // keeps the best epoch should the error turn up sooner. Whether a budget is enough is tested
    // by doubling it: a run that twice the epochs improve by little has converged. (At a
    // constant rate the deeper runs were still improving after 40 epochs.)
    let (fit, validation) = try notebook.validationSplit(notebook.size(5_000, quick: 200))
    let budget = notebook.epochs(20)
    let stepsPerEpoch = (fit.train.count + notebook.request.batchSize - 1) / notebook.request.batchSize
    func trained(_ hidden: [Int], seed: UInt64, epochs: Int) throws -> BudgetedRun {
        var settings = ModelKind.ae.defaultSettings
        (settings.latentDimension, settings.hiddenSizes, settings.reconstructionLoss) = (30, hidden, .mse)
        let (model, result) = try notebook.train(
            .ae, settings, epochs: epochs, data: fit,
            optimizer: Adam(learningRate: settings.learningRate, schedule: .cosine(steps: epochs * stepsPerEpoch)),
            earlyStopping: EarlyStopping(validation: validation, patience: 3), seed: seed)
        return (model, testMSE(model), result.last(.bestEpoch).map { Int($0) })
    }
    // A section a file, in the page's order (CodeSize.swift, LinearAndDeep.swift, …).
    try errorAgainstCodeSize(notebook, test: test, epochs: epochs, originals: originals)
    try pcaLinearAndDeep(
        notebook, test: test, epochs: epochs, originals: originals, budget: budget, validation: validation,
        trained: trained)
    try widerOrDeeper(notebook, seeds: seeds, budget: budget, validation: validation, trained: trained)
    try squaredErrorAgainstCrossEntropy(notebook, test: test, epochs: epochs, seeds: seeds, originals: originals)
    try dataSpecificity(notebook, epochs: epochs)
    try convolutionalAgainstDense(notebook, test: test, epochs: epochs, originals: originals)
    try upsampling(notebook)

    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "bottleneck"))
}
