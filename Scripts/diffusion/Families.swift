import Foundation
import Lab

// The conv AE, conv VAE, DCGAN and the U-Net on one sheet: the judge's scores against minutes of training.
func fourFamilies(
    _ notebook: Notebook, diffusion: DiffusionModel, training: TrainingResult, ddim50 fifty: TimedScores,
    count samplerCount: Int, draws samplerDraws: Int
) throws {
    notebook.section(
        "The four families on one sheet",
        """
        The convolutional models of gen, each as the gallery trains it: the conv autoencoder sampled from random \
        codes (uniform between its training codes' extremes), the conv VAE (20-number codes), the DCGAN, and the \
        U-Net above sampled by DDIM in 50 steps. All scored alike: the same judge, the same number of images \
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
    families.append(("Diffusion (U-Net), DDIM 50 steps", training, fifty))
    func trainingSeconds(_ result: TrainingResult) -> Double { result.series(.seconds).reduce(0) { $0 + $1.y } }
    try notebook.scoreTable(
        families.map { family in
            (
                family.name,
                [
                    "\(family.result.epochs)", grouped(Int(trainingSeconds(family.result).rounded())),
                    fixed(1_000 * family.timed.secondsPerImage.mean, 2),
                ], family.timed.scores
            )
        }, extraHeader: ["epochs", "training seconds", "ms per sample"],
        caption: "Sampling timed on \(families[0].timed.measuredOn).", count: samplerCount, draws: samplerDraws)
    let dcgan = families[2].timed.scores, ours = fifty.scores
    let perMinute = families.map { family in
        (name: family.name, x: trainingSeconds(family.result) / 60, y: family.timed.scores.frechetDistance.mean)
    }
    try notebook.plot(
        perMinute.map { (name: $0.name, points: [(x: $0.x, y: $0.y)]) }, x: "minutes of training",
        y: "Fréchet distance ↓",
        "families.png", title: "Sample quality against training time",
        caption: "Each family's Fréchet distance (the table's) against the minutes its training took.",
        axes: PlotAxes(pointsOnly: true))
    notebook.verdict(
        claim:
            "Diffusion models beat GANs on sample quality (Dhariwal & Nichol 2021, “Diffusion Models Beat GANs on Image Synthesis”)",
        outcome: ours.frechetDistance.isClearlyBelow(dcgan.frechetDistance)
            ? .reproduced : (dcgan.frechetDistance.isClearlyBelow(ours.frechetDistance) ? .notReproduced : .partly),
        evidence: """
            On this budget (\(counted(training.epochs, "epoch")), \(fixed(trainingSeconds(training) / 60, 1)) minutes of \
            training against the DCGAN's \(fixed(trainingSeconds(families[2].result) / 60, 1))), the U-Net's Fréchet \
            distance is \(ours.frechetDistance.text(1)) against the DCGAN's \(dcgan.frechetDistance.text(1)); recall \
            \(ours.recall.text(2)) against \(dcgan.recall.text(2)), coverage \(ours.coverage.text(2)) against \
            \(dcgan.coverage.text(2)) (\(counted(samplerDraws, "draw")) of \(grouped(samplerCount)) images). The papers' \
            diffusion models train for days on accelerators; this one trained for minutes on a CPU.
            """)
    notebook.uses(
        "the U-Net's live explorer: DDIM from a noise, step by step, in the browser", "../conv-diffusion/explore.html")
}
