import Foundation
import Lab

// Autoencoders are data-specific: each of up to three kinds of image rebuilt by each kind's autoencoder.
func dataSpecificity(_ notebook: Notebook, epochs: Int) throws {
    notebook.section(
        "Autoencoders are data-specific",
        """
        An autoencoder learns to compress what it was trained on, not images in general. The default \
        autoencoder (784-512-32) trained \(counted(epochs, "epoch")) on each of up to three kinds of 28 × 28 \
        image: the clothes of this page, synthetic handwritten-like digits, and patches of a photograph (the \
        cameraman from Debian's python3-skimage, when installed; tested on patches of another photograph, the \
        astronaut). Each model rebuilds the test images of every kind.
        """)
    let photoFolder = "/usr/lib/python3/dist-packages/skimage/data/"
    let photographs = ["camera.png", "astronaut.png"].allSatisfy {
        FileManager.default.fileExists(atPath: photoFolder + $0)
    }
    var domains: [(name: String, data: DatasetSplits)] = [
        ("clothes", try notebook.data()),
        (
            "digits",
            DatasetSplits(
                train: SyntheticDigits.make(count: notebook.size(12_000, quick: 600), seed: 1, name: "digits"),
                test: SyntheticDigits.make(count: notebook.size(2_000, quick: 100), seed: 2, name: "digits"))
        ),
    ]
    if photographs && !notebook.quick {
        domains.append(
            (
                "photos",
                DatasetSplits(
                    train: try PNGFolder.loadGrey(photoFolder + "camera.png").patches(
                        side: 28, stride: 4, name: "camera-patches-28"),
                    test: try PNGFolder.loadGrey(photoFolder + "astronaut.png").patches(
                        side: 28, stride: 14, name: "astronaut-patches-28"))
            ))
    }
    let specialists = try domains.map { domain in
        domain.name == "clothes"
            ? try notebook.train(.ae, ModelKind.ae.defaultSettings, epochs: epochs).model
            : try notebook.train(.ae, ModelKind.ae.defaultSettings, epochs: epochs, data: domain.data).model
    }
    // errors[model][domain]: each test image's squared error per pixel.
    let crossErrors = try specialists.indices.map { m in
        try domains.indices.map { d in
            try notebook.measured("data-specific|\(domains[m].name)|\(domains[d].name)") {
                AutoencoderMeasures.perImageMSE(specialists[m], test: domains[d].data.test)
            }
        }
    }
    var rebuiltRows: [(label: String, images: Tensor)] = []
    for domain in domains {
        // The first ten (a class each for clothes and digits); patches from across the whole photograph.
        let count = domain.data.test.count
        let shown = domain.data.test.images(
            domain.name == "photos" ? (0..<10).map { $0 * count / 10 + count / 20 } : Array(0..<min(10, count)))
        rebuiltRows.append((domain.name, shown))
        for (m, model) in specialists.enumerated() {
            rebuiltRows.append(("\(domains[m].name) AE", model.reconstruct(shown) ?? shown))
        }
    }
    try notebook.images(
        rebuiltRows, "data-specific.png", title: "Each kind of image rebuilt by each autoencoder",
        caption: "Ten test images of each kind, and what each autoencoder makes of them.")
    let seed = notebook.request.seed
    notebook.table(
        ["trained on ↓ tested on →"] + domains.map(\.name),
        specialists.indices.map { m in
            ["\(domains[m].name) AE"]
                + domains.indices.map { d in Spread.meanOf(crossErrors[m][d], seed: seed).text(4) }
        },
        caption: "Squared error per pixel on each kind's test images, ± a bootstrap standard error over them.")
    // For each kind of test image: the other autoencoders' error over its own autoencoder's.
    let penalties = domains.indices.flatMap { d in
        specialists.indices.filter { $0 != d }.map { m in
            (
                domain: domains[d].name, model: domains[m].name,
                ratio: Spread.ratioOfMeans(crossErrors[m][d], crossErrors[d][d], seed: seed)
            )
        }
    }
    let worse = penalties.filter { $0.ratio.isClearlyAbove(1) }
    notebook.verdict(
        claim:
            "“Data-specific: Autoencoders are only able to compress data similar to what they have been trained on” (lecture 002)",
        outcome: worse.count == penalties.count ? .reproduced : (worse.isEmpty ? .notReproduced : .partly),
        evidence: penalties.map {
            "on \($0.domain) the \($0.model) AE's error is \($0.ratio.text(1))× the \($0.domain) AE's"
        }
        .joined(separator: "; ").capitalisedFirst
            + " (± bootstrap standard errors over the test images): \(worse.count) of \(penalties.count) clearly worse."
    )
}
