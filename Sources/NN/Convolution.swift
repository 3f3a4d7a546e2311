// Two-dimensional convolution and its transpose over NCHW batches, on one of two engines
// (ConvolutionEngine says which, shape by shape): oneDNN's direct kernels
// (ConvolutionPrimitives.swift), or a GEMM between an im2col/col2im pass and a layout pass
// (ConvolutionGeometry.swift says how), which is also the tests' oracle for the other.
//
// The batch goes through in chunks of images whose patch matrix (col) fits in a few MB: col is
// made, multiplied and spent while it is still in cache, instead of a 25 MB matrix written to
// memory and read back. The backward pass makes each chunk's col again from the input, which
// costs less than keeping it (measured: the DCGAN epoch 10% faster, 50 MB lighter).
//
// Conv2D:           y[n, o, i, j] = b[o] + Σ_{c, u, v} W[o, c, u, v] · x[n, c, s·i - p + u, s·j - p + v]
// TransposedConv2D: the adjoint of that map in x (what Conv2D's backward does to dy), plus a bias:
//                   y[n, o, s·i - p + u, s·j - p + v] += W[c, o, u, v] · x[n, c, i, j]
// so its output is (H - 1)·s - 2p + k wide: stride 2, kernel 4, padding 1 doubles the size.
// Weights use PyTorch's layouts, (O, C, k, k) and (C, O, k, k), so a checkpoint loads into
// nn.Conv2d and nn.ConvTranspose2d unchanged.

/// A 2-D convolution: `outputChannels` kernels of `inputChannels`×k×k, with a bias and an
/// optional activation fused into the pass that adds it.
public final class Conv2D: Layer {
    /// (O, C, k, k), nn.Conv2d's layout.
    public let weight: Parameter
    /// (O)
    public let bias: Parameter
    public let kernelSize, stride, padding: Int
    /// Applied to conv + bias in the same pass (a separate activation layer costs a pass and two buffers).
    public let activation: Activation
    public var computesInputGradient = true
    /// When false, `backward` skips dWeight and dBias: the col made again and its product saved.
    public var computesParameterGradients = true

    /// The most floats one chunk's col may hold (tests set it low to cut a tiny batch into chunks).
    var chunkBudget = ConvolutionGeometry.chunkBudget
    /// The code that runs this layer; nil for `ConvolutionEngine.chosen`'s rule.
    public var engine: ConvolutionEngine?

    public var inputChannels: Int { weight.value.shape[1] }
    public var outputChannels: Int { weight.value.shape[0] }

    private var geometry: ConvolutionGeometry?
    private var patchMap: PatchMap?
    private lazy var oneDNN = OneDNNConvolution(
        outputChannels: outputChannels, layerName: "\(self)", transposed: false)
    private var input: Tensor?  // (N, C, H, W), read again by backward
    private var output: Tensor?  // (N, O, Ho, Wo)
    private var dInput: Tensor?  // (N, C, H, W)
    private var dPre: Tensor?  // (N, O, Ho, Wo): dy · f'(pre), with an activation, on oneDNN

    private var runsOnOneDNN: Bool {
        (engine ?? .chosen(channels: inputChannels, outputs: outputChannels)) == .oneDNN
    }

    /// PyTorch's default initialisation: weight and bias uniform in ±1/sqrt(C·k·k).
    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        activation: Activation = .identity, generator: inout SeededGenerator
    ) {
        checkConvolutionArguments("Conv2D", inputChannels, outputChannels, kernelSize, stride, padding)
        (weight, bias) = torchDefaultParameters(
            weight: Shape(outputChannels, inputChannels, kernelSize, kernelSize), biasCount: outputChannels,
            fanIn: inputChannels * kernelSize * kernelSize, generator: &generator)
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.activation = activation
    }

    public var parameters: [Parameter] { [weight, bias] }

    public var description: String {
        describeConvolution("Conv2D", inputChannels, outputChannels, kernelSize, stride, padding, activation)
    }

    /// The geometry for items of `itemShape` (C, H, W), or nil when the kernel does not fit.
    public func geometry(forItem itemShape: Shape) -> ConvolutionGeometry? {
        guard itemShape.rank == 3, itemShape[0] == inputChannels else { return nil }
        let g = ConvolutionGeometry(
            channels: inputChannels, height: itemShape[1], width: itemShape[2],
            kernelSize: kernelSize, stride: stride, padding: padding)
        return g.isValid ? g : nil
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let n = input.shape[0], o = outputChannels
        guard input.shape.rank == 4, let g = geometry(forItem: Shape(input.shape[1], input.shape[2], input.shape[3]))
        else {
            preconditionFailure("\(self) got input of shape \(input.shape)")
        }
        geometry = g
        self.input = input
        let y = Tensor.reuse(&output, shape: Shape(n, o, g.outputHeight, g.outputWidth))
        if runsOnOneDNN {
            oneDNN.forward(
                g, batch: n, input: input.data, weight: weight.value.data, bias: bias.value.data, output: y.data)
            if activation != .identity { activation.applyInParallel(y.data, into: y.data, count: y.count) }
            return y
        }
        let map = PatchMap.reuse(&patchMap, for: g, layer: "\(self)")
        let chunk = g.chunk(batch: n, budget: chunkBudget)
        let scratch = self.scratch(g, chunk: chunk)
        let patches = scratch.patches, out = scratch.channelMajor  // col (C·k·k, m·P), out (O, m·P)
        for first in Swift.stride(from: 0, to: n, by: chunk) {
            let m = Swift.min(chunk, n - first)
            map.unfold(input.data + first * g.imageSize, batch: m, into: patches)
            multiply(
                weight.value.data, transposeA: false, patches, transposeB: false, into: out,
                m: o, n: m * g.positions, k: g.patchSize)  // (O, m·P) = W · col
            ChannelLayout.toBatchMajor(
                out, batch: m, channels: o, spatial: g.positions, bias: bias.value.data, activation: activation,
                into: y.data + first * o * g.positions)  // y = f(W · col + b)
        }
        return y
    }

    /// This thread's col and product, with room for `chunk` images.
    private func scratch(_ g: ConvolutionGeometry, chunk: Int) -> (
        patches: UnsafeMutablePointer<Float>, channelMajor: UnsafeMutablePointer<Float>
    ) {
        ConvolutionScratch.forThisThread(
            patchCount: g.patchSize * chunk * g.positions, channelMajorCount: outputChannels * chunk * g.positions)
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let g = geometry, let x = input, let y = output else {
            preconditionFailure("Conv2D.backward before forward")
        }
        let n = x.shape[0], o = outputChannels, p = g.positions
        precondition(dOutput.shape == y.shape, "\(self) dOutput \(dOutput.shape) does not match its output")
        let dx = computesInputGradient ? Tensor.reuse(&dInput, shape: x.shape) : noInputGradient
        guard computesInputGradient || computesParameterGradients else { return dx }
        if runsOnOneDNN {
            let dy = activation.preActivationGradient(output: y, dOutput: dOutput, buffer: &dPre)
            if computesParameterGradients {
                oneDNN.backwardWeights(
                    g, batch: n, input: x.data, dOutput: dy.data, addingTo: weight.gradient.data,
                    biasGradient: bias.gradient.data)
            }
            if computesInputGradient {
                oneDNN.backwardData(g, batch: n, dOutput: dy.data, weight: weight.value.data, dInput: dx.data)
            }
            return dx
        }
        guard let map = patchMap, map.geometry == g else {
            preconditionFailure("\(self).backward on im2col after a forward on oneDNN")
        }
        let chunk = g.chunk(batch: n, budget: chunkBudget)
        let scratch = self.scratch(g, chunk: chunk)
        let patches = scratch.patches, dGrid = scratch.channelMajor  // col or dcol, dPre (O, m·P)
        for first in Swift.stride(from: 0, to: n, by: chunk) {
            let m = Swift.min(chunk, n - first)
            // dPre = dy · f'(pre) into the product's layout, (O, m·P), and dBias[o] += Σ dPre[:, o, :, :], in one pass.
            ChannelLayout.toChannelMajor(
                dOutput.data + first * o * p, batch: m, channels: o, spatial: p, into: dGrid,
                addingSumsTo: computesParameterGradients ? bias.gradient.data : nil,
                activation: activation, activated: y.data + first * o * p)
            if computesParameterGradients {
                map.unfold(x.data + first * g.imageSize, batch: m, into: patches)  // col, made again
                multiply(
                    dGrid, transposeA: false, patches, transposeB: true, into: weight.gradient.data,
                    m: o, n: g.patchSize, k: m * p, beta: 1)  // dW += dPre · colᵀ
            }
            guard computesInputGradient else { continue }
            multiply(
                weight.value.data, transposeA: true, dGrid, transposeB: false, into: patches,
                m: g.patchSize, n: m * p, k: o)  // dcol = Wᵀ · dPre
            map.fold(patches, batch: m, bias: nil, into: dx.data + first * g.imageSize)  // dx = col2im(dcol)
        }
        return dx
    }
}

/// A 2-D transposed convolution ("deconvolution"): Conv2D's input gradient as a layer, with a
/// bias and an optional fused activation. With kernel 4, stride 2, padding 1 it doubles the
/// height and width.
public final class TransposedConv2D: Layer {
    /// (C, O, k, k), nn.ConvTranspose2d's layout.
    public let weight: Parameter
    /// (O)
    public let bias: Parameter
    public let kernelSize, stride, padding: Int
    /// Applied to each output plane as col2im finishes it.
    public let activation: Activation
    public var computesInputGradient = true
    /// When false, `backward` skips dWeight and dBias.
    public var computesParameterGradients = true

    /// The most floats one chunk's col may hold (tests set it low to cut a tiny batch into chunks).
    var chunkBudget = ConvolutionGeometry.chunkBudget
    /// The code that runs this layer; nil for `ConvolutionEngine.chosen`'s rule.
    public var engine: ConvolutionEngine?

    public var inputChannels: Int { weight.value.shape[0] }
    public var outputChannels: Int { weight.value.shape[1] }

    private var geometry: ConvolutionGeometry?  // of the output side
    private var patchMap: PatchMap?
    /// The convolution this layer is the transpose of, on oneDNN: from the output side (C_out
    /// channels) to the input side (C_in).
    private lazy var oneDNN = OneDNNConvolution(
        outputChannels: inputChannels, layerName: "\(self)", transposed: true)

    private var runsOnOneDNN: Bool {
        (engine ?? .chosen(channels: outputChannels, outputs: inputChannels)) == .oneDNN
    }
    private var input: Tensor?  // (N, C, H, W), read again by backward
    private var output: Tensor?  // (N, O, Ho, Wo)
    private var dInput: Tensor?  // (N, C, H, W)
    private var dPre: Tensor?  // (N, O, Ho, Wo): dy · f'(pre), with an activation

    /// PyTorch's default initialisation: uniform in ±1/sqrt(fan-in), where nn.ConvTranspose2d
    /// takes the fan-in from the weight's second axis, O·k·k.
    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        activation: Activation = .identity, generator: inout SeededGenerator
    ) {
        checkConvolutionArguments("TransposedConv2D", inputChannels, outputChannels, kernelSize, stride, padding)
        (weight, bias) = torchDefaultParameters(
            weight: Shape(inputChannels, outputChannels, kernelSize, kernelSize), biasCount: outputChannels,
            fanIn: outputChannels * kernelSize * kernelSize, generator: &generator)
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.activation = activation
    }

    public var parameters: [Parameter] { [weight, bias] }

    public var description: String {
        describeConvolution("TransposedConv2D", inputChannels, outputChannels, kernelSize, stride, padding, activation)
    }

    /// The output side's geometry for items of `itemShape` (C, H, W), or nil when it has no size.
    public func geometry(forItem itemShape: Shape) -> ConvolutionGeometry? {
        guard itemShape.rank == 3, itemShape[0] == inputChannels else { return nil }
        let h = (itemShape[1] - 1) * stride - 2 * padding + kernelSize,
            w = (itemShape[2] - 1) * stride - 2 * padding + kernelSize
        guard h > 0 && w > 0 else { return nil }
        let g = ConvolutionGeometry(
            channels: outputChannels, height: h, width: w, kernelSize: kernelSize, stride: stride, padding: padding)
        return g.isValid && g.outputHeight == itemShape[1] && g.outputWidth == itemShape[2] ? g : nil
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let n = input.shape[0], c = inputChannels
        guard input.shape.rank == 4, let g = geometry(forItem: Shape(input.shape[1], input.shape[2], input.shape[3]))
        else {
            preconditionFailure("\(self) got input of shape \(input.shape)")
        }
        geometry = g
        self.input = input
        let y = Tensor.reuse(&output, shape: Shape(n, g.channels, g.height, g.width))
        if runsOnOneDNN {  // y = f(b + the adjoint of the convolution, applied to x)
            oneDNN.backwardData(g, batch: n, dOutput: input.data, weight: weight.value.data, dInput: y.data)
            ChannelLayout.addBias(
                bias.value.data, activation: activation, to: y.data, batch: n, channels: g.channels,
                spatial: g.height * g.width)
            return y
        }
        let p = g.positions, chunk = g.chunk(batch: n, budget: chunkBudget)
        let scratch = self.scratch(g, chunk: chunk)
        let x = scratch.channelMajor, patches = scratch.patches  // a chunk of the input (C, m·H·W), col (O·k·k, m·H·W)
        let map = PatchMap.reuse(&patchMap, for: g, layer: "\(self)")
        for first in Swift.stride(from: 0, to: n, by: chunk) {
            let m = Swift.min(chunk, n - first)
            ChannelLayout.toChannelMajor(
                input.data + first * c * p, batch: m, channels: c, spatial: p, into: x, addingSumsTo: nil)
            multiply(
                weight.value.data, transposeA: true, x, transposeB: false, into: patches,
                m: g.patchSize, n: m * p, k: c)  // col = Wᵀ · x
            map.fold(
                patches, batch: m, bias: bias.value.data, activation: activation,
                into: y.data + first * g.imageSize)  // y = f(b + col2im(col))
        }
        return y
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let g = geometry, let input, let y = output else {
            preconditionFailure("TransposedConv2D.backward before forward")
        }
        let n = input.shape[0], c = inputChannels, p = g.positions
        precondition(dOutput.shape == y.shape, "\(self) dOutput \(dOutput.shape) does not match its output")
        let dy = activation.preActivationGradient(output: y, dOutput: dOutput, buffer: &dPre)
        if computesParameterGradients {
            ChannelLayout.toChannelMajor(
                dy.data, batch: n, channels: g.channels, spatial: g.height * g.width, into: nil,
                addingSumsTo: bias.gradient.data)  // dBias[o] += Σ dPre[:, o, :, :]
        }
        let dx = computesInputGradient ? Tensor.reuse(&dInput, shape: input.shape) : noInputGradient
        guard computesInputGradient || computesParameterGradients else { return dx }
        if runsOnOneDNN {  // the convolution's own passes, with dPre as its input and x as its output
            if computesParameterGradients {
                oneDNN.backwardWeights(
                    g, batch: n, input: dy.data, dOutput: input.data, addingTo: weight.gradient.data, biasGradient: nil)
            }
            if computesInputGradient {
                oneDNN.forward(g, batch: n, input: dy.data, weight: weight.value.data, bias: nil, output: dx.data)
            }
            return dx
        }
        guard let map = patchMap, map.geometry == g else {
            preconditionFailure("\(self).backward on im2col after a forward on oneDNN")
        }
        let chunk = g.chunk(batch: n, budget: chunkBudget)
        let scratch = self.scratch(g, chunk: chunk)
        let x = scratch.channelMajor, patches = scratch.patches  // the input's chunk, then its dx (C, m·H·W); dcol
        for first in Swift.stride(from: 0, to: n, by: chunk) {
            let m = Swift.min(chunk, n - first)
            map.unfold(dy.data + first * g.imageSize, batch: m, into: patches)  // dcol = im2col(dPre)
            if computesParameterGradients {
                ChannelLayout.toChannelMajor(
                    input.data + first * c * p, batch: m, channels: c, spatial: p, into: x, addingSumsTo: nil)
                multiply(
                    x, transposeA: false, patches, transposeB: true, into: weight.gradient.data,
                    m: c, n: g.patchSize, k: m * p, beta: 1)  // dW += x · dcolᵀ
            }
            guard computesInputGradient else { continue }
            multiply(
                weight.value.data, transposeA: false, patches, transposeB: false, into: x,
                m: c, n: m * p, k: g.patchSize)  // dx = W · dcol
            ChannelLayout.toBatchMajor(x, batch: m, channels: c, spatial: p, bias: nil, into: dx.data + first * c * p)
        }
        return dx
    }

    /// This thread's col and input chunk, with room for `chunk` images.
    private func scratch(_ g: ConvolutionGeometry, chunk: Int) -> (
        patches: UnsafeMutablePointer<Float>, channelMajor: UnsafeMutablePointer<Float>
    ) {
        ConvolutionScratch.forThisThread(
            patchCount: g.patchSize * chunk * g.positions, channelMajorCount: inputChannels * chunk * g.positions)
    }
}

/// A weight and a bias drawn as PyTorch draws them for nn.Linear, nn.Conv2d and
/// nn.ConvTranspose2d: both uniform in ±1/sqrt(fanIn) (kaiming_uniform with a = sqrt(5)).
func torchDefaultParameters(weight shape: Shape, biasCount: Int, fanIn: Int, generator: inout SeededGenerator) -> (
    Parameter, Parameter
) {
    let w = Tensor(zeros: shape)
    Initialization.torchDefault.fill(w, fanIn: fanIn, fanOut: 0, using: &generator)
    let b = Tensor(zeros: [biasCount])
    Initialization.torchDefault.fill(b, fanIn: fanIn, fanOut: 0, using: &generator)
    return (Parameter(name: "weight", value: w), Parameter(name: "bias", value: b))
}

/// Refuses sizes no convolution has, naming the layer.
func checkConvolutionArguments(
    _ layer: String, _ inputChannels: Int, _ outputChannels: Int, _ kernelSize: Int, _ stride: Int, _ padding: Int
) {
    precondition(
        inputChannels > 0 && outputChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0,
        "\(layer) needs positive channels, kernel and stride and a padding of 0 or more")
}

/// `Conv2D(1 → 32, 4×4, stride 2, padding 1, relu)`.
func describeConvolution(
    _ layer: String, _ inputChannels: Int, _ outputChannels: Int, _ kernelSize: Int, _ stride: Int, _ padding: Int,
    _ activation: Activation
) -> String {
    "\(layer)(\(inputChannels) → \(outputChannels), \(kernelSize)×\(kernelSize), stride \(stride), padding \(padding)"
        + activation.listed + ")"
}
