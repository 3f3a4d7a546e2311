// Regularised autoencoders: what denoising, sparsity, contraction and tied weights each change.
//   swift run regularized-autoencoders            Fashion-MNIST, into Gallery/regularized-autoencoders/
//   swift run regularized-autoencoders --quick    synthetic digits, one epoch per model: seconds
import Foundation
import Lab

// An autoencoder trained from the default settings changed by a closure, with its measures on the
// test images (AutoencoderMeasures: errors are MSE per pixel in [0, 1]); main.swift's helpers.
typealias Variant = (name: String, model: any GenerativeModel, result: TrainingResult, measures: AutoencoderMeasures)
typealias VariantTraining = (_ name: String, _ change: (inout ModelSettings) -> Void) throws -> Variant
typealias FigureRatio = (_ figure: String, _ a: Variant, _ b: Variant) -> Spread
typealias FigureMean = (_ figure: String, _ v: Variant) -> Spread

do {
    let notebook = try Notebook(
        "regularized-autoencoders", title: "Regularised autoencoders: denoising, sparse, contractive, tied",
        introduction: """
            A plain autoencoder learns whatever copies its training images best. Each regulariser asks for \
            something more: rebuild the clean image from a noisy one, keep most code units off, keep the code \
            still when the input moves a little, share weights between encoder and decoder. Each section \
            trains the variant beside its plain twin and measures the property the regulariser is for.
            """, order: 3)
    let test = try notebook.data().test
    let epochs = notebook.epochs(10)
    // One test image of each class, the same in every figure.
    let originals = test.images(test.classNames.indices.compactMap { test.labels.firstIndex(of: $0) })
    // An autoencoder trained from the default settings changed by `change`, with its measures.
    // `annealed`: Adam's rate falls along half a cosine to 0 over the epochs, so that the model
    // measured is not caught in one of Adam's late spikes (a constant rate left the 1,000-unit
    // copier's last epoch at 50 times its best test error on one machine).
    func variant(_ name: String, annealed: Bool, _ change: (inout ModelSettings) -> Void) throws -> Variant {
        var settings = ModelKind.ae.defaultSettings
        change(&settings)
        let steps =
            epochs * ((try notebook.data().train.count + notebook.request.batchSize - 1) / notebook.request.batchSize)
        let (model, result) = try notebook.train(
            .ae, settings, epochs: epochs,
            optimizer: annealed ? Adam(learningRate: settings.learningRate, schedule: .cosine(steps: steps)) : nil)
        return (name, model, result, AutoencoderMeasures.measure(model, test: test, seed: notebook.request.seed)!)
    }
    func trained(_ name: String, _ change: (inout ModelSettings) -> Void = { _ in }) throws -> Variant {
        try variant(name, annealed: false, change)
    }
    let plain = try trained("plain AE")
    let seed = notebook.request.seed
    // mean(a's figure) / mean(b's figure) over the same test images, with its bootstrap spread.
    func ratio(_ figure: String, _ a: Variant, _ b: Variant) -> Spread {
        Spread.ratioOfMeans(a.measures.perImage[figure]!, b.measures.perImage[figure]!, seed: seed)
    }
    // A figure's mean over the test images, with its bootstrap spread.
    func measure(_ figure: String, _ v: Variant) -> Spread { Spread.meanOf(v.measures.perImage[figure]!, seed: seed) }
    // The denoising section's noise, also the finite change of the robustness section.
    let noise = Corruption.gaussian(sigma: 0.5)
    // Noise for the figures, drawn section after section.
    var draws = SeededGenerator(seed: notebook.request.seed)
    // 2,000 test images whose codes the histograms count.
    let probe = test.images(Array(0..<min(2_000, test.count)))
    // A section a file, in the page's order (Denoising.swift, SparseCodes.swift, …).
    try denoising(
        notebook, test: test, originals: originals, noise: noise, draws: &draws, plain: plain, trained: trained,
        ratio: ratio)
    let (sigmoid, sparse) = try sparseCodes(notebook, probe: probe, trained: trained, measure: measure, ratio: ratio)
    try contractive(notebook, test: test, epochs: epochs)
    try overcomplete(
        notebook, originals: originals, draws: &draws, plain: plain, trained: { try variant($0, annealed: true, $1) },
        measure: measure)
    try tiedWeights(notebook, plain: plain, trained: trained, ratio: ratio)
    try denoisingAgainstContractive(notebook, test: test, epochs: epochs, noise: noise)
    try sparsityPenalties(
        notebook, probe: probe, plain: plain, sigmoid: sigmoid, sparse: sparse, trained: trained, measure: measure,
        ratio: ratio)
    try stackedPretraining(notebook, test: test, seed: seed)
    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "regularized-autoencoders"))
}
