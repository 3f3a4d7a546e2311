// The fourth family: a denoising autoencoder trained at every noise level, sampled by denoising
// pure noise step by step (Ho et al. 2020, DDPM; Song et al. 2021, DDIM).
//   swift run diffusion            Fashion-MNIST, into Gallery/diffusion/ (trains the U-Net: minutes)
//   swift run diffusion --quick    synthetic digits, one epoch, few samples: seconds
import Foundation
import Lab

do {
    let notebook = try Notebook(
        "diffusion", title: "Diffusion: one denoiser at every noise level",
        introduction: """
            A denoising autoencoder learns to undo one level of noise. A diffusion model learns to undo every level, \
            from a trace of noise to pure noise, with one network told the level; a sample is then pure noise \
            denoised step by step. This page builds that from the forward process up, on Fashion-MNIST (pixels \
            scaled to [−1, 1]) and on the ring of eight Gaussians of the GAN's page.
            """, order: 8)
    notebook.uses("the DCGAN, the family's rival for sharp samples", "../dcgan/index.html")
    notebook.uses("The GAN game on toy data (the same ring)", "../gan-toy-data/index.html")
    notebook.uses("Regularised autoencoders (the denoising AE)", "../regularized-autoencoders/index.html")
    let data = try notebook.data()
    let seeds = notebook.seeds(3)
    let ringSeeds = notebook.seeds(5)
    // 6 epochs: 12-14 minutes of one thread of a Zen 4 beside make-gallery's other lane, within
    // the 15 minutes issue 36 allows the U-Net; a seventh would pass them.
    let unetEpochs = notebook.epochs(6)
    // Every sampler and family is scored on the same number of images: 1,000 network passes an
    // image make the ancestral sampler the page's cost (about 0.7 s an image on one thread of a
    // Zen 4), so 200 images a draw rather than `scoredCount`, to keep the page's own time down;
    // the real row beside them is scored at the same count.
    let samplerCount = notebook.size(200, quick: 16), samplerDraws = Notebook.scoreDraws
    let schedules = NoiseSchedule.Kind.allCases.map { NoiseSchedule($0, steps: 1_000) }

    // A section a file, in the page's order (ForwardProcess.swift, Ring.swift, …).
    try forwardProcess(notebook, data: data, seeds: seeds, schedules: schedules)
    try ringWithoutCollapse(notebook, seeds: ringSeeds)
    let (diffusion, training, frechetByEpoch) = try trainingLoss(
        notebook, data: data, seeds: seeds, epochs: unetEpochs, count: samplerCount)
    let (fifty, ancestral) = try samplers(
        notebook, diffusion: diffusion, training: training, count: samplerCount, draws: samplerDraws)
    try averagedWeights(
        notebook, data: data, training: training, ddim50: fifty, count: samplerCount, draws: samplerDraws)
    try fourFamilies(
        notebook, diffusion: diffusion, training: training, frechetByEpoch: frechetByEpoch, ddim50: fifty,
        ancestral: ancestral,
        count: samplerCount, draws: samplerDraws)

    notebook.uses("the U-Net's own page (samples, interpolation, its film)", "../conv-diffusion/index.html")
    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "diffusion"))
}
