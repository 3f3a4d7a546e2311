import Foundation
import Lab

// One wider hidden layer against three, at equal parameters, each trained to convergence.
func widerOrDeeper(
    _ notebook: Notebook, seeds: [UInt64], budget: Int, validation: Dataset, trained: BudgetedTraining
) throws {
    // One hidden layer as wide as 256-128-64 has weights: 1,630 w + 814 ≈ 488,878.
    let wide = 299
    // A model converged on the budget if twice the epochs lower its error by less than this.
    let enough = 0.02
    notebook.section(
        "One wider layer or more layers, at equal parameters",
        """
        “For a better representation we can add neurons in one layer or go deeper … deeper is better” \
        (lecture 000). A fair test gives both the same number of weights: one hidden layer of \(wide) \
        against three (256-128-64), both ReLU with a code of 30 and squared error, and no hidden layer as \
        the baseline. Each trains \(counted(budget, "epoch")) from \(counted(seeds.count, "seed")), Adam's rate \
        falling along half a cosine to 0, early stopping on \(validation.count) held-out training images. Is that \
        convergence? The hidden-layer models of the first seed train again on twice the budget: a model whose \
        error falls by less than \(fixed(100 * enough, 0))% with twice the epochs has converged.
        """)
    let candidates: [(name: String, hidden: [Int])] = [
        ("none (linear)", []), ("one of \(wide)", [wide]), ("256-128-64", [256, 128, 64]),
    ]
    let runs = try candidates.map { candidate in
        try seeds.map { try trained(candidate.hidden, $0, budget) }
    }
    // The check: the first seed's hidden-layer models on twice the budget, and what it gained them.
    let doubled = try candidates.dropFirst().map { try trained($0.hidden, seeds[0], 2 * budget) }
    let doublingGains = zip(runs.dropFirst(), doubled).map { 1 - $1.mse / $0[0].mse }
    let depthErrors = runs.map { Spread($0.map(\.mse)) }
    func lowerOrHigher(_ gain: Double) -> String { "\(fixed(100 * abs(gain), 1))% \(gain >= 0 ? "lower" : "higher")" }
    func stopped(_ run: BudgetedRun) -> String {
        run.stoppedAt.map { " (stopped early, best epoch \($0))" } ?? ""
    }
    notebook.table(
        ["hidden layers", "parameters", "MSE per pixel, \(budget) epochs", "first seed, \(2 * budget) epochs"],
        candidates.indices.map { i in
            [
                candidates[i].name, grouped(runs[i][0].model.parameterCount),
                depthErrors[i].text(4) + runs[i].map(stopped).joined(),
                i == 0
                    ? "–"
                    : fixed(doubled[i - 1].mse, 4) + stopped(doubled[i - 1])
                        + " (\(lowerOrHigher(doublingGains[i - 1])))",
            ]
        },
        caption: """
            Test squared error per pixel, mean ± standard deviation over seeds; the first seed's model again on twice \
            the epochs, and how much lower its error is than on the budget.
            """)
    let (flat, oneWide, threeDeep) = (depthErrors[0], depthErrors[1], depthErrors[2])
    let gain = 1 - threeDeep.mean / oneWide.mean
    // Models that twice the epochs still improve would be compared before convergence.
    let converged = doublingGains.allSatisfy { $0 < enough }
    let hiddenLayersHelp =
        switch (oneWide.isClearlyBelow(flat), threeDeep.isClearlyBelow(flat)) {
        case (true, true): "adding neurons helps, either way"
        case (true, false): "one wide layer clearly helps, three layers not clearly on this budget"
        case (false, true): "three layers clearly help, one wide layer not clearly"
        case (false, false): "hidden layers do not clearly help"
        }
    notebook.verdict(
        claim: "“Add neurons in one layer or go deeper … deeper is better” (lecture 000), at equal parameters",
        outcome: !converged
            ? .partly
            : (threeDeep.isClearlyBelow(oneWide)
                ? .reproduced : (oneWide.isClearlyBelow(threeDeep) ? .notReproduced : .partly)),
        evidence: """
            With \(grouped(runs[2][0].model.parameterCount)) and \(grouped(runs[1][0].model.parameterCount)) weights, three \
            layers reach \(threeDeep.text(4)) and one wide layer \(oneWide.text(4)) (\(fixed(100 * abs(gain), 1))% \
            \(gain >= 0 ? "lower" : "higher") for depth)\(threeDeep.isClearlyBelow(oneWide) ? ": depth wins" : (oneWide.isClearlyBelow(threeDeep) ? ": width wins" : ": the gap is inside the seeds' spread")). \
            No hidden layer: \(flat.text(4)); \(hiddenLayersHelp). \
            Twice the epochs leave the errors of one wide layer and of three layers \(lowerOrHigher(doublingGains[0])) \
            and \(lowerOrHigher(doublingGains[1]))\(converged ? ": both had converged." : ": not yet converged, so this compares them at equal epochs, not at convergence.")
            """)
}
