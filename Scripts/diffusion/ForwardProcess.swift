import Foundation
import Lab

// The forward process drawn at t = 0, 100, …, 1,000, and its closed form checked against chains of
// single steps.
func forwardProcess(_ notebook: Notebook, data: DatasetSplits, seeds: [UInt64], schedules: [NoiseSchedule]) throws {
    notebook.section(
        "The forward process and its closed form",
        """
        The lecture's denoising autoencoder trains on x + u, “a projection from a neighborhood of our training data \
        back onto the training data” (lecture 002). Diffusion fixes how the neighbourhood grows: T = 1,000 small \
        steps q(x_t | x_{t−1}) = N(√(1 − β_t) x_{t−1}, β_t I), β_t rising from 1e-4 to 0.02 (linear, Ho et al. \
        2020) or set so that ᾱ_t falls along a cosine (Nichol & Dhariwal 2021). Because each step is Gaussian, \
        the T steps compose into one: q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I) with ᾱ_t = Π (1 − β_s), so \
        training jumps to any t in one draw. Below, one test image at t = 0, 100, …, 1,000 under both \
        schedules (the same ε); then the closed form checked against the chain of single steps.
        """)
    let levels = Array(stride(from: 0, through: 1_000, by: 100))
    let clean = data.test.images([0], range: .symmetric)
    var figureNoise = SeededGenerator(seed: notebook.request.seed)
    let epsilon = Tensor.normal(clean.shape, using: &figureNoise)
    func noised(_ schedule: NoiseSchedule, at t: Int) -> Tensor {
        let xt = Tensor(zeros: clean.shape)
        schedule.noise(clean, at: [t], with: epsilon, into: xt)
        return xt
    }
    try notebook.images(
        schedules.map { schedule in
            (
                label: schedule.kind.rawValue,
                images: Tensor(stacking: levels.map { DiffusionModel.pixels(noised(schedule, at: $0)) })
            )
        }, "forward-process.png", title: "x_t for t = 0, 100, …, 1,000",
        caption: """
            x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε for one test image and one ε, at t = 0, 100, …, 1,000 (left to \
            right; pixels clipped to [−1, 1] for drawing). √ᾱ_t, the share of the image left: linear \
            \(levels.map { fixed(schedules[0].alphaBar($0).squareRoot(), 2) }.joined(separator: ", ")); cosine \
            \(levels.map { fixed(schedules[1].alphaBar($0).squareRoot(), 2) }.joined(separator: ", ")).
            """)
    // The chain of single steps from the same x_0, `chains` times: at each checked t, the numbers
    // z = (x_t − √ᾱ_t x_0) / √(1 − ᾱ_t) over every chain and pixel should be N(0, 1).
    let chains = notebook.size(64, quick: 16)
    let checked = [10, 100, 500, 1_000]
    struct ChainCheck: Codable { var meanOfZ: [Double], varianceOfZ: [Double] }
    let chainChecks = try schedules.map { schedule in
        try seeds.map { seed in
            try notebook.measured("chain|\(schedule.kind.rawValue)|\(seed)|\(chains)") { () -> ChainCheck in
                var random = SeededGenerator(seed: seed &+ 31)
                let size = clean.count
                var x = (0..<chains).flatMap { _ in clean.scalars.map(Double.init) }
                var check = ChainCheck(meanOfZ: [], varianceOfZ: [])
                for t in 1...schedule.steps {
                    let beta = schedule.betas[t - 1], keep = (1 - beta).squareRoot(), spread = beta.squareRoot()
                    for i in x.indices { x[i] = keep * x[i] + spread * Double(random.nextNormal()) }
                    guard checked.contains(t) else { continue }
                    let a = schedule.alphaBar(t)
                    let z = x.indices.map { i in
                        (x[i] - a.squareRoot() * Double(clean.data[i % size])) / (1 - a).squareRoot()
                    }
                    let mean = z.reduce(0, +) / Double(z.count)
                    check.meanOfZ.append(mean)
                    check.varianceOfZ.append(z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(z.count - 1))
                }
                return check
            }
        }
    }
    notebook.table(
        ["schedule", "t", "√ᾱ_t", "mean of z (0 by the closed form)", "variance of z (1 by the closed form)"],
        zip(schedules, chainChecks).flatMap { schedule, runs in
            checked.enumerated().map { k, t in
                [
                    schedule.kind.rawValue, grouped(t), fixed(schedule.alphaBar(t).squareRoot(), 4),
                    Spread(runs.map { $0.meanOfZ[k] }).text(4), Spread(runs.map { $0.varianceOfZ[k] }).text(4),
                ]
            }
        },
        caption: """
            \(grouped(chains)) chains of t single steps from the image above, z = (x_t − √ᾱ_t x_0) / √(1 − ᾱ_t) over \
            every chain and pixel (\(grouped(chains * clean.count)) numbers); mean ± standard deviation over \
            \(counted(seeds.count, "seed")) of the chains' noise.
            """)
    let worstVariance =
        chainChecks.flatMap { runs in checked.indices.map { k in Spread(runs.map { $0.varianceOfZ[k] }) } }
        .max { abs($0.mean - 1) < abs($1.mean - 1) }!
    let worstMean =
        chainChecks.flatMap { runs in checked.indices.map { k in Spread(runs.map { $0.meanOfZ[k] }) } }
        .max { abs($0.mean) < abs($1.mean) }!
    // Sampling error alone of a variance over n numbers is about √(2/n): the bar is five of them.
    let tolerance = 5 * (2 / Double(chains * clean.count)).squareRoot()
    notebook.verdict(
        claim:
            "The T noising steps compose into one Gaussian, q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I) (Ho et al. 2020, eq. 4)",
        outcome: abs(worstVariance.mean - 1) < tolerance && abs(worstMean.mean) < tolerance
            ? .reproduced : .notReproduced,
        evidence: """
            Over both schedules and t = \(checked.map(grouped).joined(separator: ", ")), the chain's standardised numbers \
            have a variance at worst \(worstVariance.text(4)) and a mean at worst \(worstMean.text(4)), within \
            \(fixed(tolerance, 4)) of 1 and 0 (five times the sampling error of \(grouped(chains * clean.count)) \
            numbers; \(counted(seeds.count, "seed"))). At t = 1,000 the image's share √ᾱ_T is \
            \(fixed(schedules[0].alphaBar(1_000).squareRoot(), 4)) (linear) and \
            \(fixed(schedules[1].alphaBar(1_000).squareRoot(), 4)) (cosine): x_T is noise, which is why sampling may \
            start from N(0, I).
            """)
}
