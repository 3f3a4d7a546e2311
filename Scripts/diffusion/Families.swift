import Foundation
import Lab

// The conv AE, conv VAE, DCGAN and the U-Net on one sheet: the judge's scores against minutes of training.
func fourFamilies(
    _ notebook: Notebook, diffusion: DiffusionModel, training: TrainingResult, frechetByEpoch: [Double],
    ddim50 fifty: TimedScores, ancestral: TimedScores, count samplerCount: Int, draws samplerDraws: Int
) throws {
    notebook.section(
        "The four families on one sheet",
        """
        The convolutional models of gen, each as the gallery trains it: the conv autoencoder sampled from random \
        codes (uniform between its training codes' extremes), the conv VAE (20-number codes), the DCGAN, and the \
        U-Net above sampled both ways: by DDIM in 50 steps and by DDPM's 1,000 ancestral steps. All scored alike: the same judge, the same number of images \
        per draw as the samplers above; training seconds as each model's own run measured them (one thread in \
        the gallery), sampling time per image as the table's caption says.
        """)
    for (label, folder) in [("conv AE", "conv-ae"), ("conv VAE", "conv-vae"), ("DCGAN", "dcgan")] {
        notebook.uses(label, "../\(folder)/index.html")
    }
    let rivals: [(kind: ModelKind, epochs: Int)] = [(.ae, 10), (.vae, 10), (.gan, 5)]
    var families: [(name: String, result: TrainingResult, timed: TimedScores)] = try rivals.map { rival in
        let (model, result) = try notebook.train(
            rival.kind, rival.kind.defaultSettings(.conv), epochs: notebook.epochs(rival.epochs))
        let timed = try notebook.timedScores(
            "family|\(result.identity)|\(samplerCount)|\(samplerDraws)", draws: samplerDraws
        ) {
            random in model.sample(count: samplerCount, generator: &random)
        }
        return (model.displayName, result, timed)
    }
    families.append(("U-Net, DDIM 50 steps", training, fifty))
    families.append(("U-Net, ancestral 1,000", training, ancestral))
    try notebook.scoreTable(
        families.map { family in
            (
                family.name,
                [
                    "\(family.result.epochs)", grouped(Int(family.result.trainingSeconds.rounded())),
                    fixed(1_000 * family.timed.secondsPerImage.mean, 2),
                ], family.timed.scores
            )
        }, extraHeader: ["epochs", "training seconds", "ms per sample"],
        caption: "Sampling timed on \(families[0].timed.measuredOn).", count: samplerCount, draws: samplerDraws)
    let dcgan = families[2].timed.scores, ours = fifty.scores, slow = ancestral.scores
    // The U-Net after each epoch (one draw, recorded while it trained) against the minutes so far;
    // the other families where their training ended.
    let minutes = training.series(.seconds).reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1.y / 60) }
    let unetCurve = zip(minutes, frechetByEpoch).map { (x: $0, y: $1) }
    try notebook.plot(
        families.prefix(3).map { family in
            (
                name: family.name,
                points: [(x: family.result.trainingSeconds / 60, y: family.timed.scores.frechetDistance.mean)]
            )
        } + [
            (name: "Diffusion (U-Net), DDIM 50, after each epoch", points: unetCurve),
            (
                name: "Diffusion (U-Net), ancestral 1,000, at the end",
                points: [(x: training.trainingSeconds / 60, y: slow.frechetDistance.mean)]
            ),
        ], x: "minutes of training",
        y: "Fréchet distance ↓", "families.png", title: "Sample quality against training time",
        caption: """
            The conv AE, conv VAE and DCGAN: the table's Fréchet distance against the minutes their training took. \
            The U-Net: after each epoch, one draw of \(grouped(samplerCount)) DDIM samples (the x_T of the table's \
            first draw), against the minutes of training so far; and the table's ancestral distance at its end.
            """)
    // The budget that would reach the DCGAN's distance, along the slope of the U-Net's last two
    // epochs (or its only two): its curve flattens, so the straight line is the least it would take.
    let budget: String
    if unetCurve.count >= 2, let last = unetCurve.last {
        let before = unetCurve[max(0, unetCurve.count - 3)], target = dcgan.frechetDistance.mean
        let slope = last.x > before.x ? (last.y - before.y) / (last.x - before.x) : 0
        let path = unetCurve.map { fixed($0.y, 0) }.joined(separator: ", ")
        budget =
            last.y <= target
            ? "DDIM's last epoch's draw (\(fixed(last.y, 0))) is already at the DCGAN's mean distance or below it."
            : slope < 0
                ? """
                DDIM's distance after each epoch went \(path) (one draw each); at the rate of its last epochs, \
                \(fixed(-slope, 1)) a minute, it would reach the DCGAN's \(fixed(target, 0)) after about \
                \(fixed(last.x + (target - last.y) / slope, 0)) minutes of training on this thread, at the least (the \
                curve flattens).
                """
                : "Its distance did not fall over its last epochs (\(path), one draw each): no budget follows from it."
    } else {
        budget = ""
    }
    notebook.verdict(
        claim:
            "Diffusion models beat GANs on sample quality (Dhariwal & Nichol 2021, “Diffusion Models Beat GANs on Image Synthesis”)",
        outcome: slow.frechetDistance.isClearlyBelow(dcgan.frechetDistance)
            || ours.frechetDistance.isClearlyBelow(dcgan.frechetDistance)
            ? .reproduced
            : (dcgan.frechetDistance.isClearlyBelow(ours.frechetDistance)
                && dcgan.frechetDistance.isClearlyBelow(slow.frechetDistance) ? .notReproduced : .partly),
        evidence: """
            On this budget (\(counted(training.epochs, "epoch")), \(fixed(training.trainingSeconds / 60, 1)) minutes of \
            training against the DCGAN's \(fixed(families[2].result.trainingSeconds / 60, 1))), the U-Net's Fréchet \
            distance is \(slow.frechetDistance.text(1)) by DDPM's 1,000 ancestral steps and \
            \(ours.frechetDistance.text(1)) by DDIM's 50, against the DCGAN's \(dcgan.frechetDistance.text(1)); recall \
            \(slow.recall.text(2)) and \(ours.recall.text(2)) against \(dcgan.recall.text(2)) \
            (\(counted(samplerDraws, "draw")) of \(grouped(samplerCount)) images). The price is sampling: \
            \(fixed(1_000 * ancestral.secondsPerImage.mean, 0)) ms an image ancestrally and \
            \(fixed(1_000 * fifty.secondsPerImage.mean, 1)) by DDIM, against the DCGAN's \
            \(fixed(1_000 * families[2].timed.secondsPerImage.mean, 2)). \(budget) The papers' diffusion models train for \
            days on accelerators; this one trained for minutes on a CPU.
            """)
    notebook.uses(
        "the U-Net's live explorer: DDIM from a noise, step by step, in the browser", "../conv-diffusion/explore.html")
}
