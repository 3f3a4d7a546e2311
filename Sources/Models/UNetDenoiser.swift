import NN

// The denoiser for images: a small U-Net (Ronneberger et al. 2015) as DDPM uses it (Ho et al.
// 2020), two resolutions below the image's, for (C, H, W) images with H and W divisible by 4.
// c1, c2: the channel counts; E: the timestep embedding's size; 4·c1 numbers carry the time.
//   time = Dense(4c1) ∘ SiLU ∘ Dense(4c1) of e(t)                        (N, 4c1), shared by every block
//   h0 = Conv3×3(C → c1)(x_t)                                              H × W
//   d1 = Block(c1 → c1)(h0)                                                H × W      (kept for the skip)
//   d2 = Block(c1 → c2)(Conv3×3 stride 2 (d1))                             H/2 × W/2  (kept for the skip)
//   m  = Block(c2 → c2)(Conv3×3 stride 2 (d2))                             H/4 × W/4
//   u2 = Block(2c2 → c2)([Upsample×2(m), d2])                              H/2 × W/2
//   u1 = Block(c2 + c1 → c1)([Upsample×2(u2), d1])                         H × W
//   ε̂  = Conv3×3(c1 → C) ∘ SiLU ∘ GroupNorm (u1)
// Block(a → b), DDPM's residual block, the time added between its two convolutions:
//   h = Conv3×3(a → b)(SiLU(GroupNorm(x))) + Dense(4c1 → b)(SiLU(time)) at every pixel
//   y = Conv3×3(b → b)(SiLU(GroupNorm(h))) + (x, or Conv1×1(a → b)(x) when a ≠ b)

/// GroupNorm's group count for `channels`: up to 8 groups of at least two channels. One channel a
/// group would normalise away each channel's own mean, and with it the time's per-channel shift.
func groupCount(for channels: Int) -> Int {
    [8, 4, 2].first { channels % $0 == 0 && channels / $0 >= 2 } ?? 1
}

/// DDPM's residual block with the time added between its convolutions.
final class TimeConditionedBlock {
    let norm1: GroupNorm, act1 = SiLU(), conv1: Conv2D
    let time: Dense
    let norm2: GroupNorm, act2 = SiLU(), conv2: Conv2D
    /// A 1×1 convolution matching the channels of the residual path, when they change.
    let shortcut: Conv2D?
    private var sum: Tensor?, dInput: Tensor?
    private var timeGradient: Tensor?

    init(from inputs: Int, to outputs: Int, timeSize: Int, generator g: inout SeededGenerator) {
        norm1 = GroupNorm(groupCount: groupCount(for: inputs), channelCount: inputs)
        conv1 = Conv2D(inputChannels: inputs, outputChannels: outputs, kernelSize: 3, padding: 1, generator: &g)
        time = Dense(inputSize: timeSize, outputSize: outputs, generator: &g)
        norm2 = GroupNorm(groupCount: groupCount(for: outputs), channelCount: outputs)
        conv2 = Conv2D(inputChannels: outputs, outputChannels: outputs, kernelSize: 3, padding: 1, generator: &g)
        shortcut =
            inputs == outputs
            ? nil : Conv2D(inputChannels: inputs, outputChannels: outputs, kernelSize: 1, generator: &g)
    }

    var layers: NamedLayers {
        NamedLayers(
            [("norm1", norm1), ("conv1", conv1), ("time", time), ("norm2", norm2), ("conv2", conv2)]
                + (shortcut.map { [("shortcut", $0 as any Layer)] } ?? []))
    }

    var description: String {
        "Block(\(conv1.inputChannels) → \(conv1.outputChannels)\(shortcut == nil ? "" : ", 1×1 shortcut"))"
    }

    /// y for input x (N, a, H, W) and the time features SiLU(time) (N, 4c1).
    func forward(_ x: Tensor, timeFeatures: Tensor, training: Bool) -> Tensor {
        let h = conv1.forward(
            act1.forward(norm1.forward(x, training: training), training: training), training: training)
        let shift = time.forward(timeFeatures, training: training)
        let (n, c, plane) = (h.shape[0], h.shape[1], h.shape[2] * h.shape[3])
        for image in 0..<n {
            for channel in 0..<c {
                let value = shift.data[image * c + channel], start = h.data + (image * c + channel) * plane
                for i in 0..<plane { start[i] += value }
            }
        }
        let y = conv2.forward(
            act2.forward(norm2.forward(h, training: training), training: training), training: training)
        let out = Tensor.reuse(&sum, shape: y.shape)
        out.assign(y)
        out.add(shortcut?.forward(x, training: training) ?? x)
        return out
    }

    /// dLoss/dx from dLoss/dy; adds dLoss/d(time features) into `dTimeFeatures`.
    func backward(_ dY: Tensor, dTimeFeatures: Tensor) -> Tensor {
        let dH = norm2.backward(act2.backward(conv2.backward(dY)))
        // The time's shift reached every pixel of its channel: its gradient is the plane's sum.
        let (n, c, plane) = (dH.shape[0], dH.shape[1], dH.shape[2] * dH.shape[3])
        let dShift = Tensor.reuse(&timeGradient, shape: Shape(n, c))
        for image in 0..<n {
            for channel in 0..<c {
                let start = dH.data + (image * c + channel) * plane
                var total: Float = 0
                for i in 0..<plane { total += start[i] }
                dShift.data[image * c + channel] = total
            }
        }
        dTimeFeatures.add(time.backward(dShift))
        let throughConvolutions = norm1.backward(act1.backward(conv1.backward(dH)))
        let dX = Tensor.reuse(&dInput, shape: throughConvolutions.shape)
        dX.assign(throughConvolutions)
        dX.add(shortcut?.backward(dY) ?? dY)
        return dX
    }
}

/// The U-Net above: ε̂(x_t, t) for images of `image` (C, H, W) given flat, (N, C·H·W).
public final class UNetDenoiser: Denoiser {
    public let image: Shape
    public let channels: (first: Int, second: Int)
    public let embeddingSize: Int
    let timeIn: Dense, timeAct = SiLU(), timeOut: Dense, timeFeaturesAct = SiLU()
    let stem: Conv2D
    let down1: TimeConditionedBlock, downsample1: Conv2D
    let down2: TimeConditionedBlock, downsample2: Conv2D
    let middle: TimeConditionedBlock
    let upsample2 = Upsample2D(factor: 2), join2 = ChannelConcatenation(), up2: TimeConditionedBlock
    let upsample1 = Upsample2D(factor: 2), join1 = ChannelConcatenation(), up1: TimeConditionedBlock
    let outNorm: GroupNorm, outAct = SiLU(), outConv: Conv2D
    private let toImages: Reshape, toRows = Flatten()
    private var embedding: Tensor?, dTimeFeatures: Tensor?, dSkip1: Tensor?, dSkip2: Tensor?
    private let named: NamedLayers

    /// A U-Net for images of `image` (C, H, W; H and W divisible by 4) with `channels` at the
    /// image's resolution and below it, initialised as PyTorch would from `seed`.
    public init(image: Shape, channels: (first: Int, second: Int) = (32, 64), embeddingSize: Int = 32, seed: UInt64) {
        precondition(
            image.rank == 3 && image[1] % 4 == 0 && image[2] % 4 == 0,
            "a U-Net denoiser needs (C, H, W) images with H and W divisible by 4, got \(image)")
        var g = SeededGenerator(seed: seed)
        let (c0, c1, c2, timeSize) = (image[0], channels.first, channels.second, 4 * channels.first)
        timeIn = Dense(inputSize: embeddingSize, outputSize: timeSize, generator: &g)
        timeIn.computesInputGradient = false  // e(t) is data
        timeOut = Dense(inputSize: timeSize, outputSize: timeSize, generator: &g)
        stem = Conv2D(inputChannels: c0, outputChannels: c1, kernelSize: 3, padding: 1, generator: &g)
        stem.computesInputGradient = false  // x_t is data
        down1 = TimeConditionedBlock(from: c1, to: c1, timeSize: timeSize, generator: &g)
        downsample1 = Conv2D(inputChannels: c1, outputChannels: c1, kernelSize: 3, stride: 2, padding: 1, generator: &g)
        down2 = TimeConditionedBlock(from: c1, to: c2, timeSize: timeSize, generator: &g)
        downsample2 = Conv2D(inputChannels: c2, outputChannels: c2, kernelSize: 3, stride: 2, padding: 1, generator: &g)
        middle = TimeConditionedBlock(from: c2, to: c2, timeSize: timeSize, generator: &g)
        up2 = TimeConditionedBlock(from: 2 * c2, to: c2, timeSize: timeSize, generator: &g)
        up1 = TimeConditionedBlock(from: c2 + c1, to: c1, timeSize: timeSize, generator: &g)
        outNorm = GroupNorm(groupCount: groupCount(for: c1), channelCount: c1)
        outConv = Conv2D(inputChannels: c1, outputChannels: c0, kernelSize: 3, padding: 1, generator: &g)
        toImages = Reshape(itemShape: image.dimensions)
        (self.image, self.channels, self.embeddingSize) = (image, channels, embeddingSize)
        func block(_ name: String, _ b: TimeConditionedBlock) -> [(name: String, layer: any Layer)] {
            b.layers.entries.map { (name + "." + $0.name, $0.layer) }
        }
        let entries: [(name: String, layer: any Layer)] =
            [("timeIn", timeIn), ("timeOut", timeOut), ("stem", stem)] + block("down1", down1)
            + [("downsample1", downsample1)] + block("down2", down2) + [("downsample2", downsample2)]
            + block("middle", middle) + block("up2", up2) + block("up1", up1)
            + [("outNorm", outNorm), ("outConv", outConv)]
        named = NamedLayers(entries)
    }

    public var description: String {
        "UNetDenoiser(\(image.dimensions.map(String.init).joined(separator: "×")), channels \(channels.first)-\(channels.second), e(t) of \(embeddingSize), GroupNorm, SiLU)"
    }
    /// Every layer by the name its tensors carry ("down1.conv1", "outNorm", …), in order: what
    /// a page runs the network from (`DiffusionExplorerPage`).
    public var layers: NamedLayers { named }
    public var parameters: [Parameter] { named.parameters }
    public var stateTensors: [NamedTensor] { named.stateTensors }

    public func predictNoise(_ noised: Tensor, timesteps: [Int], training: Bool) -> Tensor {
        let n = timesteps.count
        precondition(
            noised.shape[0] == n && noised.shape.countPerItem == image.count, "UNetDenoiser got \(noised.shape)")
        let e = Tensor.reuse(&embedding, shape: Shape(n, embeddingSize))
        writeTimestepEmbedding(timesteps, into: e)
        let t = timeOut.forward(
            timeAct.forward(timeIn.forward(e, training: training), training: training), training: training)
        let features = timeFeaturesAct.forward(t, training: training)
        let h0 = stem.forward(toImages.forward(noised, training: training), training: training)
        let d1 = down1.forward(h0, timeFeatures: features, training: training)
        let d2 = down2.forward(downsample1.forward(d1, training: training), timeFeatures: features, training: training)
        let m = middle.forward(downsample2.forward(d2, training: training), timeFeatures: features, training: training)
        let u2 = up2.forward(
            join2.forward(upsample2.forward(m, training: training), d2), timeFeatures: features, training: training)
        let u1 = up1.forward(
            join1.forward(upsample1.forward(u2, training: training), d1), timeFeatures: features, training: training)
        let out = outConv.forward(
            outAct.forward(outNorm.forward(u1, training: training), training: training), training: training)
        return toRows.forward(out, training: training)
    }

    public func backward(_ dPrediction: Tensor) {
        let dFeatures = Tensor.reuse(&dTimeFeatures, shape: Shape(dPrediction.shape[0], 4 * channels.first))
        dFeatures.fill(0)
        let dU1 = outNorm.backward(outAct.backward(outConv.backward(toRows.backward(dPrediction))))
        let (dUp1, dD1) = join1.backward(up1.backward(dU1, dTimeFeatures: dFeatures))
        // d1 feeds the skip and the path down: its gradient is the sum of the two.
        let skip1 = Tensor.reuse(&dSkip1, shape: dD1.shape)
        skip1.assign(dD1)
        let (dUp2, dD2) = join2.backward(up2.backward(upsample1.backward(dUp1), dTimeFeatures: dFeatures))
        let skip2 = Tensor.reuse(&dSkip2, shape: dD2.shape)
        skip2.assign(dD2)
        let dM = middle.backward(upsample2.backward(dUp2), dTimeFeatures: dFeatures)
        skip2.add(downsample2.backward(dM))
        skip1.add(downsample1.backward(down2.backward(skip2, dTimeFeatures: dFeatures)))
        _ = stem.backward(down1.backward(skip1, dTimeFeatures: dFeatures))
        _ = timeIn.backward(timeAct.backward(timeOut.backward(timeFeaturesAct.backward(dFeatures))))
    }
}
