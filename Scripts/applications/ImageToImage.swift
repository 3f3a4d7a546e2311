import Foundation
import Lab

// Image to image: super-resolution and watermark removal by autoencoders, against the classical answers.
func imageToImage(_ notebook: Notebook, data: DatasetSplits, epochs: Int, originals: Tensor) throws {
    let test = data.test
    notebook.section(
        "Image to image: super-resolution and watermark removal",
        """
        Two image-to-image tasks as a denoising autoencoder whose “noise” is the task: the input is the image at \
        half its resolution (each 2 × 2 block replaced by its mean: super-resolution, the task of lecture 002's \
        RAISR slide, which restores detail from a quarter of the pixels) or with a white stroke drawn across it \
        (“watermark removal”, lecture 002's application), and the target is the clean image. A 784-512-128-512-784 autoencoder (a code wide enough to keep detail) trained \
        \(counted(epochs, "epoch")) for each, against the classical answer: bicubic upsampling (Keys' cubic \
        convolution, a = −0.5) of the half-resolution image, and for the stroke a 5 × 5 median filter (it removes \
        lines narrower than 3 pixels, at the price of some detail). \
        Colourisation, the lectures' third such task, needs colour images, which gen has none of offline.
        """)
    // Keys' cubic convolution kernel (a = −0.5): the weight of a pixel t pixels away.
    func cubic(_ t: Float) -> Float {
        let t = abs(t)
        return t <= 1 ? (1.5 * t - 2.5) * t * t + 1 : (t < 2 ? ((-0.5 * t + 2.5) * t - 4) * t + 2 : 0)
    }
    // Each image of `halved` (its 2 × 2 blocks constant) sampled back at full size from its n × n means.
    func bicubicUpsampled(_ halved: Tensor) -> Tensor {
        let side = Int(Double(halved.shape.countPerItem).squareRoot()), n = side / 2
        let output = Tensor(zeros: halved.shape)
        for image in 0..<halved.shape[0] {
            func low(_ r: Int, _ c: Int) -> Float {
                halved[image, 2 * min(max(r, 0), n - 1) * side + 2 * min(max(c, 0), n - 1)]
            }
            for i in 0..<side {
                // The output pixel's centre in the low image's pixel coordinates.
                let y = (Float(i) + 0.5) / 2 - 0.5, y0 = Int(y.rounded(.down))
                for j in 0..<side {
                    let x = (Float(j) + 0.5) / 2 - 0.5, x0 = Int(x.rounded(.down))
                    var sum: Float = 0
                    for m in -1...2 {
                        for k in -1...2 {
                            sum += cubic(y - Float(y0 + m)) * cubic(x - Float(x0 + k)) * low(y0 + m, x0 + k)
                        }
                    }
                    output[image, i * side + j] = min(max(sum, 0), 1)
                }
            }
        }
        return output
    }
    // Each pixel replaced by the median of the 5 × 5 window around it (cut at the image's edges).
    func medianFiltered(_ images: Tensor) -> Tensor {
        let side = Int(Double(images.shape.countPerItem).squareRoot())
        let output = Tensor(zeros: images.shape)
        var window: [Float] = []
        window.reserveCapacity(25)
        for image in 0..<images.shape[0] {
            for i in 0..<side {
                for j in 0..<side {
                    window.removeAll(keepingCapacity: true)
                    for r in max(i - 2, 0)...min(i + 2, side - 1) {
                        for c in max(j - 2, 0)...min(j + 2, side - 1) { window.append(images[image, r * side + c]) }
                    }
                    window.sort()
                    output[image, i * side + j] = window[window.count / 2]
                }
            }
        }
        return output
    }
    let tasks: [(name: String, corruption: Corruption)] = [
        ("super-resolution", .lowResolution(factor: 2)), ("watermark removal", .stroke(width: 2)),
    ]
    let clean = test.images(Array(0..<test.count))
    // Per test image, squared error per pixel against the clean image: the input, the classical
    // answer, and the autoencoder's output.
    struct TaskErrors: Codable { var input: [Double], classical: [Double], autoencoder: [Double] }
    var taskRows: [(label: String, images: Tensor)] = [("clean", originals)]
    var taskErrors: [TaskErrors] = []
    for task in tasks {
        var settings = ModelKind.ae.defaultSettings
        (settings.latentDimension, settings.corruption) = (128, task.corruption)
        let model = try notebook.train(.ae, settings, epochs: epochs).model
        func corrupted(_ images: Tensor) -> Tensor {
            var draws = SeededGenerator(seed: notebook.request.seed &+ 77)
            return task.corruption.applied(to: images, generator: &draws)
        }
        func classical(_ input: Tensor) -> Tensor {
            if case .lowResolution = task.corruption { return bicubicUpsampled(input) }
            return medianFiltered(input)
        }
        let shown = corrupted(originals)
        taskRows.append((task.name == "super-resolution" ? "half resolution" : "marked", shown))
        taskRows.append((task.corruption == .lowResolution(factor: 2) ? "bicubic" : "5 × 5 median", classical(shown)))
        taskRows.append(("autoencoder", model.reconstruct(shown) ?? shown))
        let input = corrupted(clean)
        taskErrors.append(
            try notebook.measured("image to image|\(task.corruption.argument)") {
                TaskErrors(
                    input: rowMeanSquaredErrors(input, clean), classical: rowMeanSquaredErrors(classical(input), clean),
                    autoencoder: rowMeanSquaredErrors(model.reconstruct(input) ?? input, clean))
            })
    }
    try notebook.images(
        taskRows, "image-to-image.png", title: "Super-resolution and watermark removal by autoencoders",
        caption:
            "One test image of each class: clean; at half resolution, bicubic and the autoencoder; marked, a 5 × 5 median filter and the autoencoder."
    )
    let seed = notebook.request.seed
    notebook.table(
        ["task", "input", "classical answer", "autoencoder", "autoencoder / classical"],
        zip(tasks, taskErrors).map { task, errors in
            [
                task.name, Spread.meanOf(errors.input, seed: seed).text(4),
                task.corruption == .lowResolution(factor: 2)
                    ? Spread.meanOf(errors.classical, seed: seed).text(4) + " (bicubic)"
                    : Spread.meanOf(errors.classical, seed: seed).text(4) + " (5 × 5 median)",
                Spread.meanOf(errors.autoencoder, seed: seed).text(4),
                Spread.ratioOfMeans(errors.autoencoder, errors.classical, seed: seed).text(2) + "×",
            ]
        },
        caption: """
            Squared error per pixel against the clean test image, over the \(grouped(test.count)) test images, ± a \
            bootstrap standard error over them (the ratio's resamples pair each image's two errors).
            """)
    let ratios = taskErrors.map { Spread.ratioOfMeans($0.autoencoder, $0.classical, seed: seed) }
    let beaten = ratios.filter { $0.isClearlyBelow(1) }.count
    notebook.verdict(
        claim:
            "Autoencoders are used for “removing watermarks from images” (lecture 002), and for restoring detail as super-resolution does",
        outcome: beaten == tasks.count ? .reproduced : (beaten > 0 ? .partly : .notReproduced),
        evidence: """
            Against the clean test images the autoencoder's super-resolution has \(ratios[0].text(2))× the error of \
            bicubic upsampling, and its watermark removal \(ratios[1].text(2))× the error of a 5 × 5 median filter \
            (± bootstrap standard errors over the \(grouped(test.count)) test images)\(beaten == tasks.count ? ": it beats the classical answer at both" : ""). \
            Its outputs are also the autoencoder's: as smooth as its reconstructions of clean images.
            """)
}
