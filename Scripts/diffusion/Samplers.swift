import Foundation
import Lab

// DDPM's 1,000 ancestral steps against DDIM's 10 to 100, scored by the judge and timed; the
// reverse process drawn. Returns DDIM-50's scores and the ancestral sampler's, which the
// families' sheet uses.
func samplers(
    _ notebook: Notebook, diffusion: DiffusionModel, training: TrainingResult, count samplerCount: Int,
    draws samplerDraws: Int
) throws -> (ddim50: TimedScores, ancestral: TimedScores) {
    notebook.section(
        "Sampling: 1,000 ancestral steps against DDIM's 10 to 100",
        """
        DDPM samples by walking back all T = 1,000 steps, drawing x_{t−1} from q(x_{t−1} | x_t, x̂_0) with fresh \
        noise at each (Ho et al. 2020, Algorithm 2). DDIM (Song, Meng & Ermon 2021) uses the same trained network \
        on a subsequence of the steps, deterministically: x_{t'} = √ᾱ_{t'} x̂_0 + √(1 − ᾱ_{t'}) ε̂. Each sampler \
        below starts from the same x_T (per draw) and is scored by the judge; the time is per image, on \
        \(counted(notebook.request.threads, "thread")), the U-Net taking \(diffusion.sliceSize) images at once.
        """)
    let samplerSteps = [10, 25, 50, 100]
    func sampled(steps: Int?, count: Int, random: inout SeededGenerator) -> Tensor {
        let start = Tensor.normal(Shape(count, diffusion.latentDimension), using: &random)
        guard let steps else { return DiffusionModel.pixels(diffusion.denoiseAncestrally(start, generator: &random)) }
        return DiffusionModel.pixels(diffusion.denoiseDeterministically(start, steps: steps))
    }
    let samplers: [(name: String, steps: Int?)] =
        [("DDPM, ancestral", nil)] + samplerSteps.map { ("DDIM", $0) }
    let samplerScores = try samplers.map { sampler in
        try notebook.timedScores(
            "sampler|\(training.identity)|\(sampler.steps ?? 0)|\(samplerCount)|\(samplerDraws)", draws: samplerDraws
        ) { random in sampled(steps: sampler.steps, count: samplerCount, random: &random) }
    }
    try notebook.scoreTable(
        zip(samplers, samplerScores).map { sampler, timed in
            (
                sampler.name,
                [grouped(sampler.steps ?? diffusion.schedule.steps), fixed(1_000 * timed.secondsPerImage.mean, 1)],
                timed.scores
            )
        }, extraHeader: ["steps", "ms per image"],
        caption: "Every sampler starts from the same x_T in each draw; timed on \(samplerScores[0].measuredOn).",
        count: samplerCount, draws: samplerDraws)
    try notebook.plot(
        [
            (
                "DDIM",
                zip(samplerSteps, samplerScores.dropFirst()).map { (x: Double($0), y: $1.scores.frechetDistance.mean) }
            ),
            (
                "DDPM, ancestral",
                [(x: Double(diffusion.schedule.steps), y: samplerScores[0].scores.frechetDistance.mean)]
            ),
        ], x: "sampling steps", y: "Fréchet distance (judge's features)", "fd-by-steps.png",
        title: "Fréchet distance against sampling steps",
        caption: "The scores of the table above: DDIM at 10, 25, 50 and 100 steps, DDPM's ancestral sampler at 1,000.",
        axes: PlotAxes(logX: true, xTicks: [10, 25, 50, 100, 1_000]))
    // The reverse process of DDIM's 50 steps for four x_T: x_t and x̂_0 at every fifth step.
    var reverseDraws = SeededGenerator(seed: notebook.request.seed &+ 61)
    let reverseStart = Tensor.normal(Shape(4, diffusion.latentDimension), using: &reverseDraws)
    var states: [(t: Int, xt: Tensor, estimate: Tensor)] = []
    let reverseEnd = DiffusionModel.pixels(
        diffusion.denoiseDeterministically(reverseStart, steps: 50) { t, xt, estimate in
            states.append((t: t, xt: DiffusionModel.pixels(xt), estimate: DiffusionModel.pixels(estimate)))
        })
    let shown = Array(stride(from: 0, to: states.count, by: 5))
    var reverseRows: [(label: String, images: Tensor)] = []
    for k in 0..<4 {
        let end = reverseEnd.rows(k..<(k + 1))
        reverseRows.append(
            (label: "x_t", images: Tensor(stacking: shown.map { states[$0].xt.rows(k..<(k + 1)) } + [end])))
        reverseRows.append(
            (label: "x̂_0", images: Tensor(stacking: shown.map { states[$0].estimate.rows(k..<(k + 1)) } + [end])))
    }
    try notebook.images(
        reverseRows, "reverse-process.png", title: "DDIM's 50 steps, every fifth",
        caption: """
            Four samples from x_T (left) to the image (right): each pair of rows is x_t and the clean image the U-Net \
            estimates from it, x̂_0, at t = \(shown.map { grouped(states[$0].t) }.joined(separator: ", ")), then the sample.
            """)
    // DDIM's samples count as as good as DDPM's when their mean Fréchet distance is within 10% of
    // the ancestral sampler's (a margin set before measuring).
    let ancestral = samplerScores[0]
    func scores(steps: Int) -> TimedScores { samplerScores[samplers.firstIndex { $0.steps == steps }!] }
    let fifty = scores(steps: 50)
    let fewest = samplerSteps.first {
        scores(steps: $0).scores.frechetDistance.mean <= 1.1 * ancestral.scores.frechetDistance.mean
    }
    let speedup = fewest.map { ancestral.secondsPerImage.mean / scores(steps: $0).secondsPerImage.mean }
    notebook.verdict(
        claim: """
            DDIM “can produce high quality samples 10× to 50× faster in terms of wall-clock time compared to DDPMs” \
            (Song, Meng & Ermon 2021), from the same trained network
            """,
        outcome: fewest.map { $0 <= 50 ? .reproduced : .partly } ?? .notReproduced,
        evidence: """
            Fréchet distance \(samplerSteps.map { "\(scores(steps: $0).scores.frechetDistance.text(1)) at \($0)" }.joined(separator: ", ")) \
            DDIM steps, against \(ancestral.scores.frechetDistance.text(1)) for 1,000 ancestral steps \
            (\(counted(samplerDraws, "draw")) of \(grouped(samplerCount)) images from the same x_T). \
            \(fewest.map { "From \($0) steps DDIM is within the page's 10% of DDPM, \(fixed(speedup!, 0))× faster per image." } ?? "At no step count tried is DDIM within the page's 10% of DDPM.")
            """)
    return (fifty, ancestral)
}
