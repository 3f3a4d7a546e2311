import Foundation
import Lab

// The U-Net's weights averaged over its steps, θ̄, against its weights as trained, θ, at the same
// last step: its checkpoint keeps both. The same run, sampler and x_T in each draw, so the
// weights are the only difference; the spread is the draws', not that of training runs.
func averagedWeights(
    _ notebook: Notebook, data: DatasetSplits, training: TrainingResult, ddim50 fifty: TimedScores,
    count samplerCount: Int, draws samplerDraws: Int
) throws {
    let settings = ModelKind.diffusion.defaultSettings(.conv)
    guard let decay = settings.averageDecay else { return }
    let batchSize = notebook.request.batchSize(for: .diffusion, .conv)
    let steps = (data.train.count + batchSize - 1) / batchSize * training.epochs
    // The ramp's d at the last step (steps − 1 averaged before it), and the window it gives.
    let lastDecay = Double(WeightAverage.rampedDecay(decay, stepsBefore: Float(steps - 1)))
    notebook.section(
        "Sampling with the weights averaged over training",
        """
        Adam's last steps leave the weights wherever the last batches pushed them, and a sample drawn with them \
        carries that noise. DDPM samples with an exponential moving average of the weights instead (Ho et al. \
        2020, decay 0.9999), updated after every step: θ̄ ← d · θ̄ + (1 − d) · θ, here with d = min(\(decay), \
        (1 + n) / (10 + n)) after n steps, a ramp that lets a short run forget its random start. Over the U-Net's \
        \(grouped(steps)) steps d reaches \(fixed(lastDecay, 4)): θ̄ weighs about the last \
        \(grouped(Int((1 / (1 - lastDecay)).rounded()))) steps. Every figure and score of the U-Net above is θ̄'s; the checkpoint \
        keeps θ too, so here are both, each sampled by DDIM in 50 steps from the same x_T.
        """)
    let asTrained = ModelKind.diffusion.makeModel(settings, image: data.train.imageShape, seed: notebook.request.seed)
    try WeightAverage.loadTrainedWeights(into: asTrained, from: training.checkpointPath)
    let diffusion = asTrained as! DiffusionModel
    let trained = try notebook.timedScores(
        "as-trained|\(training.identity)|50|\(samplerCount)|\(samplerDraws)", draws: samplerDraws
    ) { random in
        let start = Tensor.normal(Shape(samplerCount, diffusion.latentDimension), using: &random)
        return DiffusionModel.pixels(diffusion.denoiseDeterministically(start, steps: 50))
    }
    try notebook.scoreTable(
        [
            ("averaged weights θ̄ (the U-Net of every section above)", [], fifty.scores),
            ("weights as trained θ, the same last step", [], trained.scores),
        ], caption: "DDIM, 50 steps; both rows start from the same x_T in each draw.", count: samplerCount,
        draws: samplerDraws)
    let (averaged, plain) = (fifty.scores, trained.scores)
    notebook.verdict(
        claim:
            "Sampling with a moving average of the weights gives better samples than the weights as trained (Song & Ermon 2020: “To enhance stability, we also propose to maintain an exponential moving average of model weights”)",
        outcome: averaged.frechetDistance.isClearlyBelow(plain.frechetDistance)
            ? .reproduced
            : (plain.frechetDistance.isClearlyBelow(averaged.frechetDistance) ? .notReproduced : .partly),
        evidence: """
            After the same \(grouped(steps)) steps, the averaged weights' Fréchet distance is \
            \(averaged.frechetDistance.text(1)) against \(plain.frechetDistance.text(1)) for the weights as trained; \
            recall \(averaged.recall.text(2)) against \(plain.recall.text(2)), precision \(averaged.precision.text(2)) \
            against \(plain.precision.text(2)) (\(counted(samplerDraws, "draw")) of \(grouped(samplerCount)) images \
            from the same x_T: the spread is the draws', from one training run). The average costs one copy of the \
            weights and a multiply-add per weight a step, no extra training.
            """)
}
