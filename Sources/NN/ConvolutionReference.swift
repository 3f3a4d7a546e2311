// The convolutions written as the formulas read, loop by loop, in Double: the oracle the fast
// layers are tested against (as `matmulReference` is for `gemm`). Never used in training.

/// y[n, o, i, j] = b[o] + Σ_{c, u, v} W[o, c, u, v] · x[n, c, s·i - p + u, s·j - p + v], x zero outside.
public func convolutionReference(_ x: Tensor, weight: Tensor, bias: Tensor, stride: Int, padding: Int) -> Tensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (o, k) = (weight.shape[0], weight.shape[2])
    precondition(weight.shape[1] == c, "weight \(weight.shape) does not take \(c) channels")
    let ho = (h + 2 * padding - k) / stride + 1, wo = (w + 2 * padding - k) / stride + 1
    let y = Tensor(zeros: [n, o, ho, wo])
    for b in 0..<n {
        for oc in 0..<o {
            for i in 0..<ho {
                for j in 0..<wo {
                    var s = Double(bias[oc])
                    for ic in 0..<c {
                        for u in 0..<k {
                            for v in 0..<k {
                                let ih = stride * i - padding + u, iw = stride * j - padding + v
                                guard ih >= 0 && ih < h && iw >= 0 && iw < w else { continue }
                                s +=
                                    Double(weight[((oc * c + ic) * k + u) * k + v])
                                    * Double(x[((b * c + ic) * h + ih) * w + iw])
                            }
                        }
                    }
                    y[((b * o + oc) * ho + i) * wo + j] = Float(s)
                }
            }
        }
    }
    return y
}

/// y[n, o, s·i - p + u, s·j - p + v] += W[c, o, u, v] · x[n, c, i, j], plus b[o]; y is (H - 1)·s - 2p + k wide.
public func transposedConvolutionReference(_ x: Tensor, weight: Tensor, bias: Tensor, stride: Int, padding: Int)
    -> Tensor
{
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (o, k) = (weight.shape[1], weight.shape[2])
    precondition(weight.shape[0] == c, "weight \(weight.shape) does not take \(c) channels")
    let ho = (h - 1) * stride - 2 * padding + k, wo = (w - 1) * stride - 2 * padding + k
    var sums = [Double](repeating: 0, count: n * o * ho * wo)
    for b in 0..<n {
        for oc in 0..<o {
            for i in 0..<ho { for j in 0..<wo { sums[((b * o + oc) * ho + i) * wo + j] = Double(bias[oc]) } }
            for ic in 0..<c {
                for i in 0..<h {
                    for j in 0..<w {
                        for u in 0..<k {
                            for v in 0..<k {
                                let oh = stride * i - padding + u, ow = stride * j - padding + v
                                guard oh >= 0 && oh < ho && ow >= 0 && ow < wo else { continue }
                                sums[((b * o + oc) * ho + oh) * wo + ow] +=
                                    Double(weight[((ic * o + oc) * k + u) * k + v])
                                    * Double(x[((b * c + ic) * h + i) * w + j])
                            }
                        }
                    }
                }
            }
        }
    }
    return Tensor(shape: [n, o, ho, wo], values: sums.map { Float($0) })
}
