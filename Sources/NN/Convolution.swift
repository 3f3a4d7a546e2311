// Two-dimensional convolution and its transpose over NCHW batches, each one GEMM between an
// im2col/col2im pass and a layout pass (ConvolutionGeometry.swift says how).
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

    public var inputChannels: Int { weight.value.shape[1] }
    public var outputChannels: Int { weight.value.shape[0] }

    private var geometry: ConvolutionGeometry?
    private var batch = 0
    private var col: Tensor?           // (C·k·k, N·P): the patches, kept for dW, then dcol (the largest buffer: one, not two)
    private var product: Tensor?       // (O, N·P): W · col, then dy in the same layout
    private var output: Tensor?        // (N, O, Ho, Wo)
    private var dInput: Tensor?        // (N, C, H, W)

    /// PyTorch's default initialisation: weight and bias uniform in ±1/sqrt(C·k·k).
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                activation: Activation = .identity, generator: inout SeededGenerator) {
        precondition(inputChannels > 0 && outputChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0,
                     "Conv2D needs positive channels, kernel and stride and a padding of 0 or more")
        (weight, bias) = torchDefaultParameters(weight: Shape(outputChannels, inputChannels, kernelSize, kernelSize), biasCount: outputChannels,
                                                fanIn: inputChannels * kernelSize * kernelSize, generator: &generator)
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.activation = activation
    }

    public var parameters: [Parameter] { [weight, bias] }

    public var description: String {
        "Conv2D(\(inputChannels) → \(outputChannels), \(kernelSize)×\(kernelSize), stride \(stride), padding \(padding)"
            + activation.listed + ")"
    }

    /// The geometry for items of `itemShape` (C, H, W), or nil when the kernel does not fit.
    public func geometry(forItem itemShape: Shape) -> ConvolutionGeometry? {
        guard itemShape.rank == 3, itemShape[0] == inputChannels else { return nil }
        let g = ConvolutionGeometry(channels: inputChannels, height: itemShape[1], width: itemShape[2],
                                    kernelSize: kernelSize, stride: stride, padding: padding)
        return g.isValid ? g : nil
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let n = input.shape[0]
        guard input.shape.rank == 4, let g = geometry(forItem: Shape(input.shape[1], input.shape[2], input.shape[3])) else {
            preconditionFailure("\(self) got input of shape \(input.shape)")
        }
        geometry = g
        batch = n
        let o = outputChannels
        let patches = Tensor.reuse(&col, shape: Shape(g.patchSize, n * g.positions))
        g.unfold(input.data, batch: n, into: patches.data)
        let out = Tensor.reuse(&product, shape: Shape(o, n * g.positions))
        gemm(weight.value, patches, into: out)                                             // (O, N·P) = W · col
        let y = Tensor.reuse(&output, shape: Shape(n, o, g.outputHeight, g.outputWidth))
        ChannelLayout.toBatchMajor(out.data, batch: n, channels: o, spatial: g.positions, bias: bias.value.data, activation: activation,
                                   into: y.data)                                           // y = f(W · col + b)
        return y
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let g = geometry, let patches = col, let dGrid = product, let y = output else { preconditionFailure("Conv2D.backward before forward") }
        let n = batch, o = outputChannels
        precondition(dOutput.shape == Shape(n, o, g.outputHeight, g.outputWidth), "\(self) dOutput \(dOutput.shape) does not match its output")
        // dPre = dy · f'(pre) into the product's layout, (O, N·P), and dBias[o] += Σ dPre[:, o, :, :], in one pass.
        ChannelLayout.toChannelMajor(dOutput.data, batch: n, channels: o, spatial: g.positions, into: dGrid.data,
                                     addingSumsTo: bias.gradient.data, activation: activation, activated: y.data)
        gemm(dGrid, patches, transposeB: true, into: weight.gradient, beta: 1)            // dW += dy · colᵀ
        guard computesInputGradient else { return noInputGradient }
        let dPatches = patches                                                             // col is spent: dcol takes its place
        gemm(weight.value, transposeA: true, dGrid, into: dPatches)                        // dcol = Wᵀ · dy
        let dx = Tensor.reuse(&dInput, shape: Shape(n, g.channels, g.height, g.width))
        g.fold(dPatches.data, batch: n, bias: nil, into: dx.data)                          // dx = col2im(dcol)
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

    public var inputChannels: Int { weight.value.shape[0] }
    public var outputChannels: Int { weight.value.shape[1] }

    private var geometry: ConvolutionGeometry?      // of the output side
    private var batch = 0
    private var grid: Tensor?          // (C, N·H·W): the input, channel-major, kept for dW
    private var col: Tensor?           // (O·k·k, N·H·W): Wᵀ · x in forward, im2col(dy) in backward
    private var output: Tensor?        // (N, O, Ho, Wo)
    private var dGrid: Tensor?         // (C, N·H·W)
    private var dInput: Tensor?        // (N, C, H, W)
    private var dPre: Tensor?          // (N, O, Ho, Wo): dy · f'(pre), with an activation

    /// PyTorch's default initialisation: uniform in ±1/sqrt(fan-in), where nn.ConvTranspose2d
    /// takes the fan-in from the weight's second axis, O·k·k.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                activation: Activation = .identity, generator: inout SeededGenerator) {
        precondition(inputChannels > 0 && outputChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0,
                     "TransposedConv2D needs positive channels, kernel and stride and a padding of 0 or more")
        (weight, bias) = torchDefaultParameters(weight: Shape(inputChannels, outputChannels, kernelSize, kernelSize), biasCount: outputChannels,
                                                fanIn: outputChannels * kernelSize * kernelSize, generator: &generator)
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.activation = activation
    }

    public var parameters: [Parameter] { [weight, bias] }

    public var description: String {
        "TransposedConv2D(\(inputChannels) → \(outputChannels), \(kernelSize)×\(kernelSize), stride \(stride), padding \(padding)"
            + activation.listed + ")"
    }

    /// The output side's geometry for items of `itemShape` (C, H, W), or nil when it has no size.
    public func geometry(forItem itemShape: Shape) -> ConvolutionGeometry? {
        guard itemShape.rank == 3, itemShape[0] == inputChannels else { return nil }
        let h = (itemShape[1] - 1) * stride - 2 * padding + kernelSize, w = (itemShape[2] - 1) * stride - 2 * padding + kernelSize
        guard h > 0 && w > 0 else { return nil }
        let g = ConvolutionGeometry(channels: outputChannels, height: h, width: w, kernelSize: kernelSize, stride: stride, padding: padding)
        return g.isValid && g.outputHeight == itemShape[1] && g.outputWidth == itemShape[2] ? g : nil
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let n = input.shape[0], c = inputChannels
        guard input.shape.rank == 4, let g = geometry(forItem: Shape(input.shape[1], input.shape[2], input.shape[3])) else {
            preconditionFailure("\(self) got input of shape \(input.shape)")
        }
        geometry = g
        batch = n
        let x = Tensor.reuse(&grid, shape: Shape(c, n * g.positions))
        ChannelLayout.toChannelMajor(input.data, batch: n, channels: c, spatial: g.positions, into: x.data, addingSumsTo: nil)
        let patches = Tensor.reuse(&col, shape: Shape(g.patchSize, n * g.positions))
        gemm(weight.value, transposeA: true, x, into: patches)                          // col = Wᵀ · x
        let y = Tensor.reuse(&output, shape: Shape(n, g.channels, g.height, g.width))
        g.fold(patches.data, batch: n, bias: bias.value.data, activation: activation, into: y.data)   // y = f(b + col2im(col))
        return y
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let g = geometry, let x = grid, let patches = col, let y = output else { preconditionFailure("TransposedConv2D.backward before forward") }
        let n = batch, c = inputChannels
        precondition(dOutput.shape == y.shape, "\(self) dOutput \(dOutput.shape) does not match its output")
        var dy = dOutput
        if activation != .identity {                                                     // dPre = dy · f'(pre)
            dy = Tensor.reuse(&dPre, shape: y.shape)
            activation.backwardInParallel(output: y.data, dOutput: dOutput.data, dPre: dy.data, count: y.count)
        }
        ChannelLayout.toChannelMajor(dy.data, batch: n, channels: g.channels, spatial: g.height * g.width, into: nil,
                                     addingSumsTo: bias.gradient.data)                   // dBias[o] += Σ dPre[:, o, :, :]
        let dPatches = patches                                                           // forward's col is spent: reuse it
        g.unfold(dy.data, batch: n, into: dPatches.data)                                 // dcol = im2col(dPre)
        gemm(x, dPatches, transposeB: true, into: weight.gradient, beta: 1)              // dW += x · dcolᵀ
        guard computesInputGradient else { return noInputGradient }
        let dx = Tensor.reuse(&dGrid, shape: x.shape)
        gemm(weight.value, dPatches, into: dx)                                           // dx = W · dcol
        let result = Tensor.reuse(&dInput, shape: Shape(n, c, g.outputHeight, g.outputWidth))
        ChannelLayout.toBatchMajor(dx.data, batch: n, channels: c, spatial: g.positions, bias: nil, into: result.data)
        return result
    }
}

/// A weight and a bias drawn as PyTorch draws them for nn.Linear, nn.Conv2d and
/// nn.ConvTranspose2d: both uniform in ±1/sqrt(fanIn) (kaiming_uniform with a = sqrt(5)).
func torchDefaultParameters(weight shape: Shape, biasCount: Int, fanIn: Int, generator: inout SeededGenerator) -> (Parameter, Parameter) {
    let w = Tensor(zeros: shape)
    Initialization.torchDefault.fill(w, fanIn: fanIn, fanOut: 0, using: &generator)
    let b = Tensor(zeros: [biasCount])
    Initialization.torchDefault.fill(b, fanIn: fanIn, fanOut: 0, using: &generator)
    return (Parameter(name: "weight", value: w), Parameter(name: "bias", value: b))
}
