import Foundation
import Lab

// Compressing 8 × 8 patches of a photograph, against JPEG at the same bits per pixel.
func patchCompression(_ notebook: Notebook, data: DatasetSplits, epochs: Int) throws {
    let test = data.test
    notebook.section(
        "Compressing 8 × 8 patches",
        """
        The lecture's codec: cut a photograph into 8 × 8 patches, code each with a 64-16-64 tanh \
        network, keep the 16 code values at 6 or 4 bits: 16 · 6 / 64 = 1.5 or 16 · 4 / 64 = 1 bit per \
        pixel, against 8 for the raw pixels. Trained on one photograph's overlapping patches, tested on \
        that photograph and on one it never saw. (A tanh output on pixels scaled to [-1, 1] is the \
        same network as a sigmoid output on pixels in [0, 1]: tanh(a) = 2 sigmoid(2a) − 1; it is \
        written here the second way.)
        """)
    // Photographs from Debian's python3-skimage, when installed; otherwise mosaics of test images.
    let photos = "/usr/lib/python3/dist-packages/skimage/data/"
    let (seen, unseen): (Dataset, Dataset)
    let photographsInstalled = ["camera.png", "astronaut.png"].allSatisfy {
        FileManager.default.fileExists(atPath: photos + $0)
    }
    if !notebook.quick && photographsInstalled {
        (seen, unseen) = (
            try PNGFolder.loadGrey(photos + "camera.png"), try PNGFolder.loadGrey(photos + "astronaut.png")
        )
        notebook.say(
            """
            Photographs: `camera.png` (the cameraman) to train on, `astronaut.png` (turned grey) to test, both \
            512 × 512 from Debian's python3-skimage.
            """)
    } else {
        let side = notebook.size(18, quick: 8)
        func mosaic(_ first: Int, _ name: String) -> Dataset {
            let tiles = test.images(Array(first..<(first + side * side)))
            return Dataset(
                greyImage: tiledImage(tiles, side: 28, rows: side, columns: side), height: 28 * side, width: 28 * side,
                name: name)
        }
        (seen, unseen) = (mosaic(0, "mosaic-a"), mosaic(side * side, "mosaic-b"))
        notebook.say(
            "No photograph found (Debian's python3-skimage ships some): mosaics of \(side * side) test images stand in."
        )
    }
    var weights = SeededGenerator(seed: notebook.request.seed)
    let codec = Autoencoder(
        encoder: Sequential(Dense(inputSize: 64, outputSize: 16, activation: .tanh, generator: &weights)),
        decoder: Sequential(Dense(inputSize: 16, outputSize: 64, activation: .sigmoid, generator: &weights)),
        latentDimension: 16, objective: AutoencoderObjective(reconstruction: .mse),
        name: "patch-codec", displayName: "8 × 8 patch codec")
    let trainingPatches = seen.patches(side: 8, stride: notebook.size(2, quick: 4), name: "\(seen.name)-patches")
    let unseenTiles = unseen.patches(side: 8, stride: 8, name: "\(unseen.name)-tiles")
    _ = try notebook.train(codec, epochs: epochs, data: DatasetSplits(train: trainingPatches, test: unseenTiles))
    // Codes in [-1, 1] rounded to `bits` bits (2^bits levels), or kept as they are.
    func quantised(_ codes: Tensor, bits: Int?) -> Tensor {
        guard let bits else { return codes }
        let steps = Float((1 << bits) - 1)
        return codes.map { (((min(max($0, -1), 1) + 1) / 2 * steps).rounded() / steps) * 2 - 1 }
    }
    var psnrRows: [[String]] = []
    // psnr[photo][variant]: the whole image's PSNR in dB.
    var psnr: [[Double]] = []
    // The same for JPEG at 1.5 and 1 bit per pixel.
    var jpegRows: [[String]] = [], jpegPSNR: [[Double]] = []
    for (role, photo) in [("trained on", seen), ("never seen", unseen)] {
        let tiles = photo.patches(side: 8, stride: 8, name: "tiles")
        let (rows, columns) = (photo.height / 8, photo.width / 8)
        let pixels = tiles.images(Array(0..<tiles.count))
        let original = tiledImage(pixels, side: 8, rows: rows, columns: columns)
        let codes = codec.encode(pixels)!
        // The middle 192 × 192 pixels of each version, at full size, for the figure.
        let side = min(rows * 8, columns * 8, 192)
        let crop = { (image: Tensor) in centralCrop(image, height: rows * 8, width: columns * 8, side: side) }
        var panels = [(name: "original", image: crop(original))], row = ["\(photo.name) (\(role))"],
            photoPSNR: [Double] = []
        for (label, bits) in [("float codes", nil), ("1.5 bit/px", 6), ("1 bit/px", 4)] as [(String, Int?)] {
            let decoded = codec.decode(quantised(codes, bits: bits))
            let rebuilt = tiledImage(decoded, side: 8, rows: rows, columns: columns)
            // 10 log₁₀(1 / MSE), pixels in [0, 1]; the MSE resampled over tiles for the spread.
            let tileErrors = (decoded - pixels).squared().mean(alongAxis: 1).scalars.map(Double.init)
            let spread = Spread.bootstrap(count: tileErrors.count, seed: notebook.request.seed) {
                10 * log10(1 / meanOver($0, of: tileErrors))
            }
            let whole = 10 * log10(1 / Double((rebuilt - original).squared().mean()))
            row.append(fixed(whole, 1) + " ± " + fixed(spread.standardDeviation, 1) + " dB")
            panels.append(("\(label), \(fixed(whole, 1)) dB", crop(rebuilt)))
            photoPSNR.append(whole)
        }
        psnr.append(photoPSNR)
        psnrRows.append(row)
        // JPEG (libgd) at the highest quality whose file fits each of the two rates.
        let levels = original.scalars
        var jpegRow = ["\(photo.name) (\(role))"], jpegAt: [Double] = []
        for rate in [1.5, 1.0] {
            let (quality, trip) = try JPEGRoundTrip.atMost(rate, grey: levels, height: rows * 8, width: columns * 8)
            let error = zip(trip.decoded, levels).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
            let decibels = 10 * log10(Double(levels.count) / error)
            jpegRow.append("\(fixed(decibels, 1)) dB (quality \(quality), \(fixed(trip.bitsPerPixel, 2)) bits/pixel)")
            jpegAt.append(decibels)
        }
        jpegRows.append(jpegRow)
        jpegPSNR.append(jpegAt)
        let grid = ImageGrid(layout: ImageLayout(channels: 1, height: side, width: side), rows: 1, columns: 1, scale: 1)
        try notebook.figure(
            Figures.sideBySide(
                panels.map { ($0.name, grid.canvas($0.image)) },
                title: notebook.title("\(photo.name), \(role)", data: photo.name)),
            "compression-\(photo.name).png",
            caption: "The middle of \(photo.name) (\(role)), rebuilt from its 8 × 8 patches' codes.")
    }
    notebook.table(
        ["image", "full precision", "1.5 bits/pixel", "1 bit/pixel"], psnrRows,
        caption: """
            Peak signal-to-noise ratio of the whole rebuilt image, 10 log₁₀(1 / MSE) with pixels in [0, 1]: higher is \
            better; the 8-bit original: ∞. ± a bootstrap standard error over the image's 8 × 8 tiles.
            """)
    notebook.table(
        ["image", "JPEG at ≤ 1.5 bits/pixel", "JPEG at ≤ 1 bit/pixel"], jpegRows,
        caption: """
            A real codec at the same rates: libgd's JPEG (libjpeg) at the highest quality whose file, headers \
            included, fits the rate; PSNR of the whole decoded image.
            """)
    let (seenAt, unseenAt) = (psnr[0][1], psnr[1][1])
    let picture = !notebook.quick && photographsInstalled ? "photograph" : "mosaic"
    notebook.verdict(
        claim: """
            A 64-16-64 network compresses 8 × 8 patches to 1.5 or 1 bit per pixel, and works on a “new image (trained on \
            the previous one)” (lecture 003)
            """,
        outcome: unseenAt >= 25 && seenAt - unseenAt < 3 ? .reproduced : (unseenAt >= 20 ? .partly : .notReproduced),
        evidence: """
            At 1.5 bits per pixel (an 8-bit original is 8) the \(picture) it trained on comes back at \
            \(psnrRows[0][2]) and the one it never saw at \(psnrRows[1][2]); at 1 bit per pixel \(psnrRows[0][3]) and \
            \(psnrRows[1][3]). \(unseenAt >= 25 ? "Both are recognisable at a glance (above 25 dB)" : "The unseen \(picture) falls below 25 dB, where blocks show")\
            \(seenAt - unseenAt < 3 ? ", and the new image costs under 3 dB: the codec learnt patches, not the one \(picture)" : ", and the new image costs \(fixed(seenAt - unseenAt, 1)) dB"). \
            JPEG at the same rates reaches \(fixed(jpegPSNR[1][0], 1)) and \(fixed(jpegPSNR[1][1], 1)) dB on the unseen \
            \(picture): \(jpegPSNR[1][0] > unseenAt ? "a real codec, with its transform and entropy coding, still does better" : "the 16-number code holds its own against it").
            """)
}
