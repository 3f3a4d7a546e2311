// A custom autoencoder built from NN layers, trained and drawn through the public API alone:
// the seed of the lecture scripts.
//   swift run custom-autoencoder            Fashion-MNIST, 10 epochs, into Gallery/custom-autoencoder/
//   swift run custom-autoencoder --quick    synthetic digits, 1 epoch: seconds
//   add --out DIR to write elsewhere
import Foundation
import Lab
import NN

let arguments = CommandLine.arguments
let quick = arguments.contains("--quick")
var request = RunRequest()
request.dataset = quick ? .synthetic : .fashionMNIST
request.epochs = quick ? 1 : 10
request.syntheticCount = quick ? 2_000 : request.syntheticCount
request.out = arguments.firstIndex(of: "--out").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil } ?? "Gallery"
request.command = "swift run custom-autoencoder" + (quick ? " --quick" : "")

do {
    // 1. Narrower and deeper than gen's default AE: 784-256-64-8 with tanh units, mirrored.
    var random = SeededGenerator(seed: request.seed)
    let encoder = Sequential(
        Dense(inputSize: 784, outputSize: 256, activation: .tanh, initialization: .xavierUniform, generator: &random),
        Dense(inputSize: 256, outputSize: 64, activation: .tanh, initialization: .xavierUniform, generator: &random),
        Dense(inputSize: 64, outputSize: 8, initialization: .xavierUniform, generator: &random))
    encoder.computesInputGradient = false   // its input is data
    let decoder = Sequential(
        Dense(inputSize: 8, outputSize: 64, activation: .tanh, initialization: .xavierUniform, generator: &random),
        Dense(inputSize: 64, outputSize: 256, activation: .tanh, initialization: .xavierUniform, generator: &random),
        Dense(inputSize: 256, outputSize: 784, initialization: .xavierUniform, generator: &random))
    let model = Autoencoder(encoder: encoder, decoder: decoder, latentDimension: 8,
                            name: "custom-autoencoder", displayName: "Custom AE 784-256-64-8 (tanh)")

    // 2. Train it with the Trainer and Adam (or reuse the cached run of the same architecture).
    let run = ModelRun(request)
    let result = try run.train(model, optimizer: Adam(learningRate: 2e-3), data: try run.loadData())

    // 3. Random codes and reconstructions, with a gallery page.
    var figures = FigureRequest()
    (figures.samples, figures.reconstruct, figures.grid) = (true, true, 8)
    try ModelFigures(model: model, result: result, request: request, figures: figures).write()
} catch {
    printError("custom-autoencoder: \(error)")
    exit(1)
}
