import Foundation
import Lab

// The decoder's upsampling: transposed convolutions against ×2 then a convolution, on a flat input.
func upsampling(_ notebook: Notebook) throws {
    let weightSeeds = notebook.size(20, quick: 3)
    notebook.section(
        "The decoder's upsampling: transposed convolution against upsampling, then convolution",
        """
        A transposed convolution of stride 2 paints a copy of its kernel, weighted by each input value, every two \
        pixels of its output. Where the copies overlap unevenly, some output pixels collect more than their \
        neighbours: a checkerboard (Odena, Dumoulin & Olah 2016, “Deconvolution and Checkerboard Artifacts”). The \
        overlap is uneven when the kernel's size is not a multiple of the stride (3 × 3 at stride 2). gen's \
        decoders use 4 × 4 at stride 2, which overlaps evenly, but the four pixels of each 2 × 2 block still read \
        four different quarters of the kernel, so unequal weights can draw the pattern anyway. The paper's remedy: \
        nearest-neighbour upsampling, then an ordinary convolution, which gives every pixel the whole kernel. Here \
        one upsampling step of each kind from gen's own layers, on a flat 7 × 7 input (where any pattern in the \
        output is the layer's own): first with every weight 1, counting the kernel taps that reach each pixel, then \
        with random weights, \(counted(weightSeeds, "draw")) of them.
        """)
    // One step of each kind from `channels` channels at 7 × 7: a transposed 3 × 3 (13 × 13 out: gen's
    // transposed convolution has no output padding), a transposed 4 × 4, and ×2 then a 3 × 3 (14 × 14).
    func upsamplers(channels: Int, seed: UInt64) -> [(name: String, layers: [any Layer])] {
        var g = SeededGenerator(seed: seed)
        let transposed3 = TransposedConv2D(
            inputChannels: channels, outputChannels: 1, kernelSize: 3, stride: 2, padding: 1, generator: &g)
        let transposed4 = TransposedConv2D(
            inputChannels: channels, outputChannels: 1, kernelSize: 4, stride: 2, padding: 1, generator: &g)
        let convolution = Conv2D(inputChannels: channels, outputChannels: 1, kernelSize: 3, padding: 1, generator: &g)
        return [
            ("transposed 3 × 3, stride 2", [transposed3]), ("transposed 4 × 4, stride 2", [transposed4]),
            ("×2, then 3 × 3", [Upsample2D(factor: 2), convolution]),
        ]
    }
    func run(_ layers: [any Layer], on input: Tensor) -> Tensor {
        layers.reduce(input) { $1.forward($0, training: false) }
    }
    // Every weight 1, every bias 0: each output pixel counts the kernel taps that reach it.
    let counting = upsamplers(channels: 1, seed: notebook.request.seed)
    for layer in counting.flatMap(\.layers) {
        for parameter in layer.parameters { parameter.value.fill(parameter.name.hasSuffix("bias") ? 0 : 1) }
    }
    let counts = counting.map { run($0.layers, on: Tensor(shape: Shape(1, 1, 7, 7), repeating: 1)) }
    // The interior: two pixels in from each edge, where the padding does not reach.
    func interior(_ map: Tensor) -> [(y: Int, x: Int, value: Float)] {
        let side = map.shape[3]
        return (2..<(side - 2)).flatMap { y in (2..<(side - 2)).map { x in (y, x, map[y * side + x]) } }
    }
    func tapRange(_ map: Tensor) -> (fewest: Float, most: Float) {
        let values = interior(map).map(\.value)
        return (values.min() ?? 0, values.max() ?? 0)
    }
    // The checkerboard's share of an output: how far the means of its four 2 × 2 phases (even or odd
    // row, even or odd column) spread, over the interior's mean magnitude; 0 for an even output.
    func checkerboardShare(_ map: Tensor) -> Double {
        let pixels = interior(map)
        let phases = (0..<4).map { phase in
            let members = pixels.filter { ($0.y % 2) * 2 + $0.x % 2 == phase }.map { Double($0.value) }
            return members.reduce(0, +) / Double(max(members.count, 1))
        }
        let magnitude = pixels.map { abs(Double($0.value)) }.reduce(0, +) / Double(max(pixels.count, 1))
        return ((phases.max() ?? 0) - (phases.min() ?? 0)) / max(magnitude, 1e-12)
    }
    // Random weights (PyTorch's default initialisation, 16 channels in) on a flat input, per draw.
    let flatInput = Tensor(shape: Shape(1, 16, 7, 7), repeating: 1)
    let draws = (0..<UInt64(weightSeeds)).map { upsamplers(channels: 16, seed: notebook.request.seed + $0) }
    let shares = counting.indices.map { i in draws.map { checkerboardShare(run($0[i].layers, on: flatInput)) } }
    // Each map as a 56 × 56 picture: scaled to [0, 1], padded to 14 × 14, each pixel drawn 4 × 4.
    let magnified = ImageLayout(channels: 1, height: 56, width: 56)
    func picture(_ map: Tensor) -> [Float] {
        let side = map.shape[3]
        let values = map.scalars
        let (low, high) = (values.min() ?? 0, values.max() ?? 1)
        let padded = Tensor(zeros: Shape(1, 1, 14, 14))
        for y in 0..<side {
            for x in 0..<side { padded[y * 14 + x] = (values[y * side + x] - low) / max(high - low, 1e-6) }
        }
        return Upsample2D(factor: 4).forward(padded, training: false).scalars
    }
    let shortNames = ["3 × 3, stride 2", "4 × 4, stride 2", "×2, then 3 × 3"]
    try notebook.figure(
        Figures.imageRows(
            counting.indices.map { i in
                let pictures = [counts[i]] + draws.prefix(2).map { run($0[i].layers, on: flatInput) }
                return (shortNames[i], Tensor(shape: Shape(3, magnified.size), values: pictures.flatMap(picture)))
            }, errors: [], errorNote: "", columns: 3, layout: magnified,
            title: notebook.title("One upsampling step on a flat 7 × 7 input", data: "gen's layers")),
        "upsampling-overlap.png",
        caption: """
            Left: how many kernel taps reach each output pixel (every weight 1; white is most; the 3 × 3 step gives \
            13 × 13, padded black to 14 × 14). Then the same step with two draws of random weights. Each picture \
            scaled to its own range; the edges are the padding's.
            """)
    notebook.table(
        ["upsampling", "output", "taps per interior pixel", "checkerboard share, random weights"],
        counting.indices.map { i in
            let taps = tapRange(counts[i])
            return [
                counting[i].name, "\(counts[i].shape[2]) × \(counts[i].shape[3])",
                taps.fewest == taps.most ? "\(Int(taps.most))" : "\(Int(taps.fewest)) to \(Int(taps.most))",
                Spread(shares[i]).text(2),
            ]
        },
        caption: """
            The share: the spread of the four 2 × 2 phases' mean outputs over the mean magnitude, inside the \
            edges; mean ± standard deviation over \(counted(weightSeeds, "draw")) of the weights.
            """)
    let shareSpreads = shares.map(Spread.init)
    let (uneven, even) = (tapRange(counts[0]), tapRange(counts[1]))
    let patterned = shareSpreads[0].isClearlyAbove(0.05) && shareSpreads[1].isClearlyAbove(0.05)
    notebook.verdict(
        claim: """
            Transposed convolutions draw checkerboard patterns, where nearest-neighbour upsampling followed by a \
            convolution does not (Odena, Dumoulin & Olah 2016)
            """,
        outcome: patterned && shareSpreads[2].mean < 0.01 ? .reproduced : (patterned ? .partly : .notReproduced),
        evidence: """
            With every weight 1, a 3 × 3 kernel at stride 2 gives interior pixels \(Int(uneven.fewest)) to \
            \(Int(uneven.most)) taps, a 4 × 4 kernel \(Int(even.most)) each. With random weights on a flat input the \
            mean outputs of the four pixels of a 2 × 2 block spread by \(shareSpreads[0].text(2)) (3 × 3) and \
            \(shareSpreads[1].text(2)) (4 × 4) times the output's mean magnitude, against \(shareSpreads[2].text(2)) \
            after ×2 and a 3 × 3 (mean ± \
            standard deviation over \(counted(weightSeeds, "draw")) of the weights). What training does to the \
            pattern in a decoder is another question: a reconstruction loss pays for every pixel off, \
            checkerboard or not.
            """)
}
