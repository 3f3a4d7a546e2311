import Foundation
import Testing
@testable import NN

@Suite("Vector transcendental functions against libm")
struct VectorMathTests {
    @Test("exp and tanh agree with libm to a few ulps over their whole range, and tanh is odd and saturates")
    func againstLibm() {
        var worstExp: Float = 0, worstTanh: Float = 0
        var x: Float = -87
        while x < 88 {
            let lanes = SIMD8<Float>((0..<8).map { x + Float($0) * 0.0031 })
            let e = vectorExp(lanes), t = vectorTanh(lanes * 0.25)
            for l in 0..<8 {
                worstExp = max(worstExp, abs(e[l] - expf(lanes[l])) / expf(lanes[l]))
                let reference = tanhf(lanes[l] * 0.25)
                worstTanh = max(worstTanh, abs(t[l] - reference) / max(abs(reference), 1e-30))
            }
            x += 0.0311
        }
        #expect(worstExp < 4e-7, "exp: worst relative error \(worstExp)")
        #expect(worstTanh < 4e-7, "tanh: worst relative error \(worstTanh)")
        let edges = vectorTanh(SIMD8<Float>(0, -0, 1e-30, -1e-30, 100, -100, .infinity, -.infinity))
        #expect(edges == SIMD8<Float>(0, -0, 1e-30, -1e-30, 1, -1, 1, -1))
        #expect(vectorTanh(SIMD8<Float>(repeating: .nan))[0].isNaN, "a NaN stays a NaN, so divergence is still seen")
    }

    @Test("log, and sine and cosine of an angle in turns, agree with libm in Double: Box-Muller's whole domain")
    func boxMullerFunctions() {
        var worstLog = 0.0, worstTrig = 0.0
        var x: Float = 0x1p-24  // the smallest u₁ the generator draws
        while x < 1e30 {
            let lanes = SIMD8<Float>((0..<8).map { x * (1 + Float($0) * 0.0123) })
            let l = vectorLog(lanes)
            for i in 0..<8 {
                let reference = Foundation.log(Double(lanes[i]))
                worstLog = max(worstLog, abs(Double(l[i]) - reference) / max(abs(reference), 1e-3))
            }
            x *= 1.0137
        }
        for k in stride(from: 0, to: 1 << 24, by: 4093) {  // u₂ on its grid of 2⁻²⁴, every quarter turn
            let lanes = SIMD8<Float>((0..<8).map { Float(min(k + $0 * 511, (1 << 24) - 1)) * 0x1p-24 })
            let (sine, cosine) = vectorSineCosineOfTurns(lanes)
            for i in 0..<8 {
                let angle = 2 * Double.pi * Double(lanes[i])
                worstTrig = max(worstTrig, abs(Double(sine[i]) - sin(angle)), abs(Double(cosine[i]) - cos(angle)))
            }
        }
        #expect(worstLog < 2e-7, "log: worst relative error \(worstLog)")
        #expect(worstTrig < 2e-7, "sine and cosine: worst error \(worstTrig)")
        #expect(vectorLog(SIMD8<Float>(repeating: 1)) == .zero, "u₁ = 1 gives a radius of exactly 0")
        let quarters = vectorSineCosineOfTurns(SIMD8<Float>(0, 0.25, 0.5, 0.75, 0, 0, 0, 0))
        #expect(quarters.sine[0] == 0 && quarters.sine[1] == 1 && quarters.sine[2] == 0 && quarters.sine[3] == -1)
        #expect(
            quarters.cosine[0] == 1 && quarters.cosine[1] == 0 && quarters.cosine[2] == -1 && quarters.cosine[3] == 0)
    }

    @Test("the vector square root gives libm's bits: correctly rounded, zeros, subnormals, infinity and NaN")
    func squareRoot() {
        var x = Float.leastNormalMagnitude / 1024  // subnormal, as a literal 1e-40 would be
        while x < 1e38 {
            let lanes = SIMD8<Float>((0..<8).map { x * (1 + Float($0) * 0.0123) })
            let roots = vectorSquareRoot(lanes)
            for l in 0..<8 { #expect(roots[l].bitPattern == lanes[l].squareRoot().bitPattern, "√\(lanes[l])") }
            x *= 1.37
        }
        let edges = vectorSquareRoot(SIMD8<Float>(0, -0.0, .infinity, .leastNonzeroMagnitude, 1, 4, -1, .nan))
        #expect(edges[0] == 0 && edges[1].sign == .minus && edges[2] == .infinity && edges[4] == 1 && edges[5] == 2)
        #expect(edges[3] == Float.leastNonzeroMagnitude.squareRoot() && edges[6].isNaN && edges[7].isNaN)
    }

    @Test(
        "activations and their derivatives eight at a time give the scalar formulas' bits, ±0 and NaN included",
        arguments: [Activation.identity, .relu, .leakyReLU(slope: 0.2), .tanh, .sigmoid])
    func activationLanes(activation: Activation) {
        var g = SeededGenerator(seed: 5)
        var x = (0..<37).map { _ in g.nextNormal() * 3 }
        x[1] = 0; x[2] = -0.0; x[3] = .nan; x[20] = -0.0
        let bias = (0..<37).map { _ in g.nextNormal() }, dOut = (0..<37).map { _ in g.nextNormal() }
        for withBias in [false, true] {
            var y = x
            y.withUnsafeMutableBufferPointer { row in
                bias.withUnsafeBufferPointer {
                    activation.applyWithBias(
                        row.baseAddress!, rows: 1, features: 37, bias: withBias ? $0.baseAddress : nil)
                }
            }
            for j in 0..<37 {
                let v = x[j] + (withBias ? bias[j] : 0)
                let expected: Float
                switch activation {
                case .identity: expected = withBias ? v : x[j]  // nothing added: -0 stays -0
                case .relu: expected = max(v, 0)
                case .leakyReLU(let slope): expected = v > 0 ? v : slope * v
                case .tanh: expected = y[j]  // the vector tanh has its own test
                case .sigmoid: expected = stableSigmoid(v)
                }
                #expect(
                    y[j].bitPattern == expected.bitPattern || (y[j].isNaN && expected.isNaN),
                    "\(activation)(\(v)) = \(y[j]), not \(expected)")
            }
            var dPre = [Float](repeating: 9, count: 37)
            activation.backward(output: y, dOutput: dOut, dPre: &dPre, count: 37)
            for j in 0..<37 {
                let expected: Float
                switch activation {
                case .identity: expected = dOut[j]
                case .relu: expected = y[j] > 0 ? dOut[j] : 0
                case .leakyReLU(let slope): expected = y[j] > 0 ? dOut[j] : slope * dOut[j]
                case .tanh: expected = dOut[j] * (1 - y[j] * y[j])
                case .sigmoid: expected = dOut[j] * y[j] * (1 - y[j])
                }
                #expect(
                    dPre[j].bitPattern == expected.bitPattern || (dPre[j].isNaN && expected.isNaN),
                    "\(activation)' at \(y[j])")
            }
        }
    }

    @Test("a value's tanh does not depend on its position in the array")
    func positionIndependent() {
        var g = SeededGenerator(seed: 3)
        let values = (0..<37).map { _ in g.nextNormal() * 2 }
        var whole = values
        whole.withUnsafeMutableBufferPointer { tanhInPlace($0.baseAddress!, count: 37, shift: nil, constant: 0) }
        for start in [0, 3, 7, 11] {
            var part = Array(values[start...])
            part.withUnsafeMutableBufferPointer {
                tanhInPlace($0.baseAddress!, count: $0.count, shift: nil, constant: 0)
            }
            #expect(part == Array(whole[start...]))
        }
    }
}
