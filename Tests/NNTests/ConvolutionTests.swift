import Testing
@testable import NN

/// Geometries with several strides, paddings, odd sizes and channel counts.
struct ConvolutionCase: CustomStringConvertible, Sendable {
    let channels, outputs, height, width, kernel, stride, padding, batch: Int
    var description: String {
        "\(channels)→\(outputs) on \(height)×\(width), k\(kernel) s\(stride) p\(padding), batch \(batch)"
    }
}

let convolutionCases = [
    ConvolutionCase(channels: 1, outputs: 2, height: 5, width: 5, kernel: 3, stride: 1, padding: 0, batch: 2),
    ConvolutionCase(channels: 3, outputs: 4, height: 7, width: 6, kernel: 3, stride: 2, padding: 1, batch: 3),
    ConvolutionCase(channels: 2, outputs: 3, height: 8, width: 8, kernel: 4, stride: 2, padding: 1, batch: 2),
    ConvolutionCase(channels: 2, outputs: 1, height: 5, width: 7, kernel: 2, stride: 3, padding: 2, batch: 1),
    ConvolutionCase(channels: 5, outputs: 3, height: 4, width: 3, kernel: 1, stride: 1, padding: 0, batch: 2),
    // Rows of 21 and 30 pixels: im2col's short-row copies by eight lanes with an overlapping last vector.
    ConvolutionCase(channels: 2, outputs: 2, height: 3, width: 21, kernel: 3, stride: 1, padding: 1, batch: 1),
    ConvolutionCase(channels: 1, outputs: 2, height: 4, width: 30, kernel: 4, stride: 2, padding: 1, batch: 2),
    // DCGAN's second convolution, 14 → 7: stride-2 rows of seven, four lanes and an overlapping four.
    ConvolutionCase(channels: 2, outputs: 2, height: 14, width: 14, kernel: 4, stride: 2, padding: 1, batch: 2),
    // Eight channels or more on both sides: oneDNN's blocked layouts (and its rule's choice), with
    // a channel count that fills no whole block.
    ConvolutionCase(channels: 8, outputs: 12, height: 14, width: 14, kernel: 4, stride: 2, padding: 1, batch: 3),
]

@Suite("Convolutions against the nested-loop oracle and finite differences")
struct ConvolutionTests {
    @Test(
        "Conv2D equals the oracle, on one thread and on two", arguments: convolutionCases, ConvolutionEngine.allCases)
    func conv2DOracle(c: ConvolutionCase, engine: ConvolutionEngine) {
        var g = SeededGenerator(seed: 11)
        let layer = Conv2D(
            inputChannels: c.channels, outputChannels: c.outputs, kernelSize: c.kernel, stride: c.stride,
            padding: c.padding, generator: &g)
        layer.engine = engine
        let x = Tensor.normal([c.batch, c.channels, c.height, c.width], using: &g)
        let expected = convolutionReference(
            x, weight: layer.weight.value, bias: layer.bias.value, stride: c.stride, padding: c.padding)
        for threads in [1, 2] {
            let y = BLAS.withThreadCount(threads) { layer(x) }
            #expect(y.shape == expected.shape)
            #expect(maxDifference(y, expected) < 1e-5, "\(c), \(threads) threads")
        }
        guard engine == .im2col else { return }  // chunks of col are im2col's
        layer.chunkBudget = 1  // one image per chunk
        #expect(maxDifference(layer(x), expected) < 1e-5, "\(c), image by image")
    }

    @Test("TransposedConv2D equals the oracle", arguments: convolutionCases, ConvolutionEngine.allCases)
    func transposedOracle(c: ConvolutionCase, engine: ConvolutionEngine) {
        var g = SeededGenerator(seed: 12)
        let layer = TransposedConv2D(
            inputChannels: c.channels, outputChannels: c.outputs, kernelSize: c.kernel, stride: c.stride,
            padding: c.padding, generator: &g)
        layer.engine = engine
        let h = max(1, (c.height + c.stride - 1) / c.stride), w = max(1, (c.width + c.stride - 1) / c.stride)
        let x = Tensor.normal([c.batch, c.channels, h, w], using: &g)
        let expected = transposedConvolutionReference(
            x, weight: layer.weight.value, bias: layer.bias.value, stride: c.stride, padding: c.padding)
        guard expected.count > 0, expected.shape[2] > 0, expected.shape[3] > 0 else { return }
        let y = layer(x).copy()
        #expect(y.shape == expected.shape)
        #expect(maxDifference(y, expected) < 1e-5, "\(c)")
        guard engine == .im2col else { return }
        layer.chunkBudget = 1  // one image per chunk
        #expect(maxDifference(layer(x), expected) < 1e-5, "\(c), image by image")
    }

    @Test("Conv2D gradients by finite differences", arguments: convolutionCases, ConvolutionEngine.allCases)
    func conv2DGradients(c: ConvolutionCase, engine: ConvolutionEngine) {
        var g = SeededGenerator(seed: 13)
        let layer = Conv2D(
            inputChannels: c.channels, outputChannels: c.outputs, kernelSize: c.kernel, stride: c.stride,
            padding: c.padding, generator: &g)
        layer.engine = engine
        checkLayerGradients(
            layer, input: awayFromZero([c.batch, c.channels, c.height, c.width], seed: 14), step: 1e-2, tolerance: 1e-2)
        guard engine == .im2col else { return }
        layer.chunkBudget = 1  // the batch image by image: weight gradients summed over chunks
        checkLayerGradients(
            layer, input: awayFromZero([c.batch, c.channels, c.height, c.width], seed: 14), step: 1e-2, tolerance: 1e-2)
    }

    @Test("TransposedConv2D gradients by finite differences", arguments: convolutionCases, ConvolutionEngine.allCases)
    func transposedGradients(c: ConvolutionCase, engine: ConvolutionEngine) {
        var g = SeededGenerator(seed: 15)
        let layer = TransposedConv2D(
            inputChannels: c.channels, outputChannels: c.outputs, kernelSize: c.kernel, stride: c.stride,
            padding: c.padding, generator: &g)
        layer.engine = engine
        let h = max(1, (c.height + c.stride - 1) / c.stride), w = max(1, (c.width + c.stride - 1) / c.stride)
        guard layer.geometry(forItem: Shape(c.channels, h, w)) != nil else { return }
        checkLayerGradients(
            layer, input: awayFromZero([c.batch, c.channels, h, w], seed: 16), step: 1e-2, tolerance: 1e-2)
        guard engine == .im2col else { return }
        layer.chunkBudget = 1
        checkLayerGradients(
            layer, input: awayFromZero([c.batch, c.channels, h, w], seed: 16), step: 1e-2, tolerance: 1e-2)
    }

    @Test("oneDNN's convolutions: the same bits on one thread and two, and gradients added to, not overwritten")
    func oneDNNThreadsAndAccumulation() {
        // Fresh layers (the same weights) for each thread count: oneDNN fixes a kernel's thread
        // count when its primitive is made, so each count makes its own.
        func layers() -> [(any Layer, Tensor)] {
            var g = SeededGenerator(seed: 24)
            let conv = Conv2D(
                inputChannels: 16, outputChannels: 24, kernelSize: 4, stride: 2, padding: 1, activation: .relu,
                generator: &g)
            let transposed = TransposedConv2D(
                inputChannels: 24, outputChannels: 16, kernelSize: 4, stride: 2, padding: 1, activation: .relu,
                generator: &g)
            conv.engine = .oneDNN; transposed.engine = .oneDNN
            return [
                (conv, Tensor.normal([5, 16, 14, 14], using: &g)),
                (transposed, Tensor.normal([5, 24, 7, 7], using: &g)),
            ]
        }
        func pass(_ layer: any Layer, _ x: Tensor) -> (y: [Float], dx: [Float], dW: [Float], dB: [Float]) {
            var g = SeededGenerator(seed: 25)
            layer.parameters.zeroGradients()
            let y = layer.forward(x, training: true)
            let dx = layer.backward(Tensor.normal(y.shape, using: &g)).scalars
            return (y.scalars, dx, layer.parameters[0].gradient.scalars, layer.parameters[1].gradient.scalars)
        }
        let one = BLAS.withThreadCount(1) { layers().map { pass($0.0, $0.1) } }
        let twoLayers = layers()
        let two = BLAS.withThreadCount(2) { twoLayers.map { pass($0.0, $0.1) } }
        for ((layer, x), (a, b)) in zip(twoLayers, zip(one, two)) {
            #expect(a.y == b.y && a.dx == b.dx && a.dW == b.dW && a.dB == b.dB, "\(layer)")
            // The same gradient again, added to the first.
            var g = SeededGenerator(seed: 25)
            _ = layer.backward(Tensor.normal(layer.forward(x, training: true).shape, using: &g))
            let twice = layer.parameters[0].gradient.scalars
            #expect(zip(twice, b.dW).allSatisfy { abs($0 - 2 * $1) <= 1e-5 * max(1, abs($0)) }, "\(layer) dW")
        }
    }

    @Test("The convolution log records a layer's oneDNN passes, in the convolution's direction, and runs each alone")
    func convolutionLog() {
        var g = SeededGenerator(seed: 26)
        let conv = Conv2D(inputChannels: 8, outputChannels: 16, kernelSize: 4, stride: 2, padding: 1, generator: &g)
        let transposed = TransposedConv2D(
            inputChannels: 16, outputChannels: 8, kernelSize: 4, stride: 2, padding: 1, generator: &g)
        conv.engine = .oneDNN; transposed.engine = .oneDNN
        let log = ConvolutionLog.shared
        log.isRecording = true
        let y = conv.forward(Tensor.normal([3, 8, 14, 14], using: &g), training: true)
        _ = conv.backward(Tensor.normal(y.shape, using: &g))
        let z = transposed.forward(y, training: true)
        _ = transposed.backward(Tensor.normal(z.shape, using: &g))
        log.isRecording = false
        // Tests run side by side and may record too: each expected call is there at least once.
        let geometry = ConvolutionGeometry(channels: 8, height: 14, width: 14, kernelSize: 4, stride: 2, padding: 1)
        for (pass, isTransposed) in [
            (ConvolutionLog.Call.Pass.forward, false), (.backwardData, false), (.backwardWeights, false),
            (.backwardData, true), (.forward, true), (.backwardWeights, true),
        ] {
            let call = ConvolutionLog.Call(
                pass: pass, geometry: geometry, outputChannels: 16, batch: 3, transposed: isTransposed)
            #expect(log.counts[call] ?? 0 >= 1, "\(call), transposed \(isTransposed)")
            #expect(call.flops == 2 * 16 * (8 * 16) * 49 * 3)
            ConvolutionLog.runner(for: call)()  // alone, on buffers of its own
        }
    }

    @Test("Strided row copies (im2col's) equal to[j] = from[j·stride] for every count, writing nothing outside the row")
    func stridedCopies() {
        let source = (0..<64).map { Float($0) + 0.5 }
        for stride in 1...3 {
            for count in 0..<20 {
                let read = (count - 1) * stride + 1
                guard read + 1 <= source.count else { continue }
                var target = [Float](repeating: -1, count: count + 2)
                // The source ends one value past the last value kept: as far as a stride-2 copy reads.
                let from = UnsafeMutablePointer<Float>.allocate(capacity: max(read + 1, 1))
                from.initialize(from: source, count: max(read + 1, 1))
                target.withUnsafeMutableBufferPointer {
                    copyStrided(from, stride: stride, to: $0.baseAddress! + 1, count: count)
                }
                from.deallocate()
                let expected = [-1] + (0..<count).map { source[$0 * stride] } + [-1]
                #expect(target == expected, "stride \(stride), count \(count)")
            }
        }
    }

    @Test("The transposed convolution is the adjoint of the convolution: ⟨conv(x), y⟩ = ⟨x, convᵀ(y)⟩")
    func adjoint() {
        var g = SeededGenerator(seed: 17)
        let conv = Conv2D(inputChannels: 3, outputChannels: 5, kernelSize: 4, stride: 2, padding: 1, generator: &g)
        let transposed = TransposedConv2D(
            inputChannels: 5, outputChannels: 3, kernelSize: 4, stride: 2, padding: 1, generator: &g)
        transposed.weight.value.assign(conv.weight.value.viewed(as: transposed.weight.value.shape))
        conv.bias.value.fill(0); transposed.bias.value.fill(0)
        let x = Tensor.normal([2, 3, 8, 8], using: &g), y = Tensor.normal([2, 5, 4, 4], using: &g)
        let left = dot(conv(x), y), right = dot(x, transposed(y))
        #expect(abs(left - right) < 1e-3 * max(1, abs(left)), "\(left) vs \(right)")
    }

    @Test("Shapes along the conv autoencoder: 28 → 14 → 7 → 14 → 28")
    func autoencoderShapes() {
        var g = SeededGenerator(seed: 18)
        let down1 = Conv2D(inputChannels: 1, outputChannels: 4, kernelSize: 4, stride: 2, padding: 1, generator: &g)
        let down2 = Conv2D(inputChannels: 4, outputChannels: 8, kernelSize: 4, stride: 2, padding: 1, generator: &g)
        let up1 = TransposedConv2D(
            inputChannels: 8, outputChannels: 4, kernelSize: 4, stride: 2, padding: 1, generator: &g)
        let up2 = TransposedConv2D(
            inputChannels: 4, outputChannels: 1, kernelSize: 4, stride: 2, padding: 1, generator: &g)
        let a = down1(Tensor(zeros: [3, 1, 28, 28]))
        #expect(a.shape == Shape(3, 4, 14, 14))
        let b = down2(a)
        #expect(b.shape == Shape(3, 8, 7, 7))
        let c = up1(b)
        #expect(c.shape == Shape(3, 4, 14, 14))
        #expect(up2(c).shape == Shape(3, 1, 28, 28))
        #expect(MaxPool2D()(Tensor(zeros: [2, 3, 7, 6])).shape == Shape(2, 3, 3, 3))
        #expect(Upsample2D()(Tensor(zeros: [2, 3, 7, 6])).shape == Shape(2, 3, 14, 12))
    }

    @Test("MaxPool2D and Upsample2D: values and finite-difference gradients")
    func resampling() {
        let x = Tensor(shape: [1, 1, 2, 4], values: [1, 5, 2, 0, 3, 4, 8, 7])
        #expect(MaxPool2D()(x).scalars == [5, 8])
        #expect(Upsample2D()(Tensor(shape: [1, 1, 1, 2], values: [1, 2])).scalars == [1, 1, 2, 2, 1, 1, 2, 2])
        // Distinct values (a spread grid plus noise) keep every window's maximum unique.
        var g = SeededGenerator(seed: 19)
        let spread = Tensor(shape: [2, 3, 5, 6], values: (0..<180).map { Float(($0 * 37) % 180) / 10 })
        let noise = Tensor.normal(spread.shape, using: &g)
        for i in 0..<spread.count { spread[i] += 0.01 * noise[i] }
        checkLayerGradients(MaxPool2D(), input: spread, step: 1e-3)
        checkLayerGradients(Upsample2D(factor: 3), input: awayFromZero([2, 2, 3, 4], seed: 20), step: 1e-2)
    }

    @Test(
        "Fused activations: gradients by finite differences, and the same numbers as a separate activation layer",
        arguments: [Activation.tanh, .sigmoid, .relu, .leakyReLU(slope: 0.2)])
    func fusedActivations(activation: Activation) {
        var g = SeededGenerator(seed: 22)
        let smooth = activation == .tanh || activation == .sigmoid
        let x = awayFromZero([2, 3, 6, 6], seed: 23)
        // Each fused layer against the plain layer followed by the activation on its own.
        let conv = Conv2D(
            inputChannels: 3, outputChannels: 4, kernelSize: 3, stride: 2, padding: 1, activation: activation,
            generator: &g)
        let plainConv = Conv2D(inputChannels: 3, outputChannels: 4, kernelSize: 3, stride: 2, padding: 1, generator: &g)
        let transposed = TransposedConv2D(
            inputChannels: 3, outputChannels: 2, kernelSize: 4, stride: 2, padding: 1, activation: activation,
            generator: &g)
        let plainTransposed = TransposedConv2D(
            inputChannels: 3, outputChannels: 2, kernelSize: 4, stride: 2, padding: 1, generator: &g)
        let norm = BatchNorm2D(featureCount: 3, activation: activation), plainNorm = BatchNorm2D(featureCount: 3)
        norm.bias.value.fillUniform(low: -0.5, high: 0.5, using: &g)
        plainNorm.bias.value.assign(norm.bias.value)
        plainConv.weight.value.assign(conv.weight.value); plainConv.bias.value.assign(conv.bias.value)
        plainTransposed.weight.value.assign(transposed.weight.value);
        plainTransposed.bias.value.assign(transposed.bias.value)
        for (fused, plain) in [
            (conv as any Layer, plainConv as any Layer), (transposed, plainTransposed), (norm, plainNorm),
        ] {
            let separate = Sequential(plain, ElementwiseActivation.layer(activation))
            let y = fused.forward(x, training: true).copy(), ySeparate = separate.forward(x, training: true)
            #expect(y.scalars == ySeparate.scalars, "\(fused) forward")
            let probe = Tensor.normal(y.shape, using: &g)
            fused.parameters.zeroGradients(); separate.parameters.zeroGradients()
            let dx = fused.backward(probe).copy(), dxSeparate = separate.backward(probe)
            #expect(dx.scalars == dxSeparate.scalars, "\(fused) backward")
            for (a, b) in zip(fused.parameters, separate.parameters) {
                #expect(a.gradient.scalars == b.gradient.scalars, "\(fused) d\(a.name)")
            }
            if smooth { checkLayerGradients(fused, input: x, step: 1e-2, tolerance: 2e-2) }
        }
        // Without an input gradient, BatchNorm still gives its parameters dz = dy · f'(z).
        let frozen = BatchNorm2D(featureCount: 3, activation: activation)
        frozen.bias.value.assign(norm.bias.value)
        frozen.computesInputGradient = false
        _ = frozen.forward(x, training: true); norm.parameters.zeroGradients(); _ = norm.forward(x, training: true)
        let probe = Tensor.normal(Shape(2, 3, 6, 6), using: &g)
        _ = frozen.backward(probe); _ = norm.backward(probe)
        #expect(
            frozen.weight.gradient.scalars == norm.weight.gradient.scalars
                && frozen.bias.gradient.scalars == norm.bias.gradient.scalars)
    }

    @Test(
        "BatchNorm over features (N, C) with a fused activation: as a separate layer, and by finite differences",
        arguments: [Activation.identity, .tanh, .relu])
    func featureBatchNorm(activation: Activation) {
        var g = SeededGenerator(seed: 24)
        let x = awayFromZero([7, 5], seed: 25)
        let fused = BatchNorm(featureCount: 5, activation: activation), plain = BatchNorm(featureCount: 5)
        fused.weight.value.fillUniform(low: 0.5, high: 1.5, using: &g)
        fused.bias.value.fillUniform(low: -0.5, high: 0.5, using: &g)
        plain.weight.value.assign(fused.weight.value); plain.bias.value.assign(fused.bias.value)
        let separate = Sequential(plain, ElementwiseActivation.layer(activation))
        for training in [true, false] {
            #expect(fused.forward(x, training: training).scalars == separate.forward(x, training: training).scalars)
            let probe = Tensor.normal([7, 5], using: &g)
            fused.parameters.zeroGradients(); separate.parameters.zeroGradients()
            #expect(fused.backward(probe).scalars == separate.backward(probe).scalars)
            #expect(
                fused.weight.gradient.scalars == plain.weight.gradient.scalars
                    && fused.bias.gradient.scalars == plain.bias.gradient.scalars)
        }
        #expect(
            fused.runningMean.scalars == plain.runningMean.scalars
                && fused.runningVariance.scalars == plain.runningVariance.scalars)
        if activation != .relu { checkLayerGradients(fused, input: x, step: 1e-2, tolerance: 3e-2) }
    }

    @Test("BatchNorm over images and over features on a team of two equals one thread")
    func batchNormThreads() {
        var g = SeededGenerator(seed: 21)
        for x in [Tensor.normal([16, 24, 8, 8], using: &g), Tensor.normal([64, 300], using: &g)] {
            var outputs: [[Float]] = []
            for threads in [1, 2] {
                let layer = BatchNorm(featureCount: x.shape[1], activation: .relu)
                BLAS.withThreadCount(threads) {
                    let y = layer.forward(x, training: true).scalars
                    let dx = layer.backward(x).scalars
                    outputs.append(y + dx + layer.runningMean.scalars + layer.weight.gradient.scalars)
                }
            }
            #expect(outputs[0] == outputs[1])
        }
    }
}

func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
    var worst: Float = 0
    for i in 0..<min(a.count, b.count) { worst = max(worst, abs(a[i] - b[i])) }
    return worst
}

func dot(_ a: Tensor, _ b: Tensor) -> Double {
    var s = 0.0
    for i in 0..<a.count { s += Double(a[i]) * Double(b[i]) }
    return s
}
