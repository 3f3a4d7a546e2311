import Foundation
import Testing
@testable import NN

/// The layers a diffusion model's U-Net adds: GroupNorm, SiLU, channel concatenation and the
/// timestep embedding.
@Suite("The U-Net's layers: GroupNorm, SiLU, concatenation, the timestep embedding")
struct DiffusionLayerTests {
    /// A GroupNorm whose γ and β differ from channel to channel (γ in [0.5, 1.5], β in [−0.5, 0.5]):
    /// within a group the input gradient must weigh the channels apart.
    func groupNorm(groups: Int, channels: Int, generator g: inout SeededGenerator) -> GroupNorm {
        let layer = GroupNorm(groupCount: groups, channelCount: channels)
        layer.weight.value.fillUniform(low: 0.5, high: 1.5, using: &g)
        layer.bias.value.fillUniform(low: -0.5, high: 0.5, using: &g)
        return layer
    }

    @Test("GroupNorm's backward pass against finite differences, images and vectors")
    func groupNormGradients() {
        var g = SeededGenerator(seed: 11)
        let layer = groupNorm(groups: 2, channels: 4, generator: &g)
        checkLayerGradients(layer, input: awayFromZero([3, 4, 2, 3], seed: 12), step: 1e-2, tolerance: 3e-2)
        let vectors = groupNorm(groups: 3, channels: 12, generator: &g)
        checkLayerGradients(vectors, input: awayFromZero([2, 12], seed: 13), step: 1e-2, tolerance: 3e-2)
    }

    @Test("GroupNorm normalises each image's group on its own: the definition, value by value")
    func groupNormDefinition() {
        var g = SeededGenerator(seed: 14)
        let layer = groupNorm(groups: 2, channels: 4, generator: &g)
        let x = Tensor.normal([2, 4, 3, 3], using: &g)
        let y = layer.forward(x, training: true)
        // One image alone gives the same rows: no statistic crosses images.
        let alone = GroupNorm(groupCount: 2, channelCount: 4)
        alone.weight.value.assign(layer.weight.value)
        alone.bias.value.assign(layer.bias.value)
        let second = alone.forward(Tensor(shape: [1, 4, 3, 3], values: Array(x.scalars[36..<72])), training: false)
        for n in 0..<2 {
            for group in 0..<2 {
                let values = (0..<18).map { Double(x[n * 36 + group * 18 + $0]) }
                let mean = values.reduce(0, +) / 18
                let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 18
                for i in 0..<18 {
                    let channel = group * 2 + i / 9
                    let expected =
                        Double(layer.weight.value[channel]) * (values[i] - mean) / (variance + 1e-5).squareRoot()
                        + Double(layer.bias.value[channel])
                    #expect(abs(Double(y[n * 36 + group * 18 + i]) - expected) < 1e-5)
                }
            }
        }
        for i in 0..<36 { #expect(second[i] == y[36 + i]) }
    }

    @Test("GroupNorm gives the same bits on one thread and on two")
    func groupNormThreads() {
        var g = SeededGenerator(seed: 15)
        let x = Tensor.normal([8, 32, 16, 16], using: &g), dy = Tensor.normal([8, 32, 16, 16], using: &g)
        func run(threads: Int) -> (y: [Float], dx: [Float], dGamma: [Float]) {
            BLAS.withThreadCount(threads) {
                let layer = GroupNorm(groupCount: 8, channelCount: 32)
                let y = layer.forward(x, training: true).scalars
                return (y, layer.backward(dy).scalars, layer.weight.gradient.scalars)
            }
        }
        let (one, two) = (run(threads: 1), run(threads: 2))
        #expect(one.y == two.y && one.dx == two.dx && one.dGamma == two.dGamma)
    }

    @Test("SiLU: y = x · σ(x), and its backward pass against finite differences")
    func silu() {
        let layer = SiLU()
        let x = Tensor(shape: [1, 4], values: [-3, -0.5, 0, 2])
        let y = layer.forward(x, training: true)
        for i in 0..<4 {
            let v = Double(x[i])
            #expect(abs(Double(y[i]) - v / (1 + exp(-v))) < 1e-6)
        }
        checkLayerGradients(SiLU(), input: awayFromZero([3, 7], seed: 16), step: 1e-3)
    }

    @Test("channel concatenation joins (N, A, H, W) and (N, B, H, W) and splits the gradient back")
    func concatenation() {
        var g = SeededGenerator(seed: 17)
        let a = Tensor.normal([2, 3, 2, 2], using: &g), b = Tensor.normal([2, 1, 2, 2], using: &g)
        let join = ChannelConcatenation()
        let y = join.forward(a, b)
        #expect(y.shape == [2, 4, 2, 2])
        for n in 0..<2 {
            for i in 0..<12 { #expect(y[n * 16 + i] == a[n * 12 + i]) }
            for i in 0..<4 { #expect(y[n * 16 + 12 + i] == b[n * 4 + i]) }
        }
        let (da, db) = join.backward(y)
        #expect(da.scalars == a.scalars && db.scalars == b.scalars)
    }

    @Test("the timestep embedding: sines then cosines at frequencies 10000^(−i / (D/2 − 1))")
    func timestepEmbedding() {
        let e = Tensor(zeros: [2, 8])
        writeTimestepEmbedding([0, 7], into: e)
        for i in 0..<4 {
            #expect(e[i] == 0 && e[4 + i] == 1)  // t = 0: sin 0, cos 0
            let angle = 7 * pow(10_000, -Double(i) / 3)
            #expect(abs(Double(e[8 + i]) - sin(angle)) < 1e-6 && abs(Double(e[12 + i]) - cos(angle)) < 1e-6)
        }
    }
}
