import Foundation
import Lab

// Codes as features: k-means and nearest neighbours in pixels, PCA, the AE's code and the VAE's means.
func codesAsFeatures(_ notebook: Notebook, data: DatasetSplits, epochs: Int) throws {
    let featureCount = notebook.size(10_000, quick: 500)
    notebook.section(
        "Codes as features: clusters and nearest neighbours",
        """
        “AEs can learn to cluster the data in unsupervised manner!” (lecture 001, after Hinton & Salakhutdinov \
        2006). Four ways to describe an image, none of which saw a label: the raw 784 pixels, PCA's 30 \
        components, the autoencoder's 32-number code and the VAE's 20 means. Each is judged twice: k-means with \
        10 clusters on the \(grouped(featureCount)) test images, scored by the normalised mutual information between \
        clusters and classes (1: the clusters are the classes; 0: unrelated), and a 1-nearest-neighbour classifier \
        that labels each test image with the class of its nearest of \(grouped(featureCount)) training images \
        (Hinton & Salakhutdinov's retrieval test). Distances are Euclidean in each space, as the codes come.
        """)
    let (trainPart, testPart) = (data.train.prefix(featureCount), data.test.prefix(featureCount))
    let describers: [(name: String, describe: (Tensor) throws -> Tensor)] = [
        ("pixels (784)", { $0 }),
        ("PCA (30)", { try notebook.train(.pca, ModelKind.pca.defaultSettings, epochs: 1).model.encode($0)! }),
        (
            "autoencoder code (32)",
            { try notebook.train(.ae, ModelKind.ae.defaultSettings, epochs: epochs).model.encode($0)! }
        ),
        (
            "VAE means (20)",
            { try notebook.train(.vae, ModelKind.vae.defaultSettings, epochs: epochs).model.encode($0)! }
        ),
    ]
    let clusterSeeds = notebook.seeds(5)
    struct FeatureScores: Codable { var mutualInformation: Spread, nearestNeighbour: Spread }
    let featureScores = try describers.map { describer in
        try notebook.measured("codes as features|\(describer.name)|\(featureCount)") { () -> FeatureScores in
            let (train, test) = (
                try describer.describe(trainPart.images(Array(0..<trainPart.count))),
                try describer.describe(testPart.images(Array(0..<testPart.count)))
            )
            let mutualInformation = Spread(
                clusterSeeds.map { seed in
                    normalisedMutualInformation(KMeans(test, clusters: 10, seed: seed).assignments, testPart.labels)
                })
            let correct = nearestRows(test, in: train).enumerated().map { i, nearest in
                trainPart.labels[nearest.index] == testPart.labels[i] ? 1.0 : 0.0
            }
            return FeatureScores(
                mutualInformation: mutualInformation,
                nearestNeighbour: Spread.meanOf(correct, seed: notebook.request.seed))
        }
    }
    notebook.table(
        ["features", "k-means NMI with the classes", "1-nearest-neighbour accuracy"],
        zip(describers, featureScores).map { describer, scores in
            [describer.name, scores.mutualInformation.text(3), scores.nearestNeighbour.percent()]
        },
        caption: """
            NMI: mean ± standard deviation over \(counted(clusterSeeds.count, "k-means start")); accuracy: ± a bootstrap \
            standard error over the \(grouped(featureCount)) test images.
            """)
    try notebook.plot(
        zip(describers, featureScores).map { describer, scores in
            (describer.name, [(x: scores.mutualInformation.mean, y: 100 * scores.nearestNeighbour.mean)])
        }, x: "k-means NMI with the classes", y: "1-nearest-neighbour accuracy (%)", "codes-as-features.png",
        title: "Four descriptions of an image, judged without training on labels",
        caption:
            "Each point one description: further right, its clusters follow the classes; higher, its neighbours share them.",
        axes: PlotAxes(pointsOnly: true))
    let (pixelScores, codeScores) = (featureScores[0], featureScores[2])
    notebook.verdict(
        claim:
            "“AEs can learn to cluster the data in unsupervised manner!” (lecture 001): the codes cluster by class better than the pixels",
        outcome: pixelScores.mutualInformation.isClearlyBelow(codeScores.mutualInformation)
            ? .reproduced
            : (codeScores.mutualInformation.mean > pixelScores.mutualInformation.mean ? .partly : .notReproduced),
        evidence: """
            k-means on the autoencoder's 32 numbers reaches an NMI of \(codeScores.mutualInformation.text(3)) with the \
            classes against \(pixelScores.mutualInformation.text(3)) on the 784 pixels (PCA \
            \(featureScores[1].mutualInformation.text(3)), VAE \(featureScores[3].mutualInformation.text(3))); the \
            nearest neighbour shares the class \(codeScores.nearestNeighbour.percent()) of the time in the code against \
            \(pixelScores.nearestNeighbour.percent()) in pixels: 25 times fewer numbers keep \
            \(codeScores.nearestNeighbour.mean >= pixelScores.nearestNeighbour.mean ? "as much" : "most") of what tells the classes apart to a nearest neighbour.
            """)
}
