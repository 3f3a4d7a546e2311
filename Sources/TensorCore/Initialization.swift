/// How a weight tensor's first values are drawn, from its fan-in and fan-out.
public enum Initialization: String, Sendable, CaseIterable {
    /// He-uniform (He et al. 2015), for ReLU layers: bound = sqrt(6 / fanIn).
    case heUniform
    /// He-normal: std = sqrt(2 / fanIn).
    case heNormal
    /// Xavier-uniform (Glorot & Bengio 2010), for tanh and sigmoid layers: bound = sqrt(6 / (fanIn + fanOut)).
    case xavierUniform
    /// Xavier-normal: std = sqrt(2 / (fanIn + fanOut)).
    case xavierNormal
    /// PyTorch's nn.Linear and nn.Conv2d default: bound = 1 / sqrt(fanIn) (kaiming_uniform with a = sqrt(5)).
    case torchDefault

    /// Fills `weight` by this rule.
    public func fill(_ weight: Tensor, fanIn: Int, fanOut: Int, using generator: inout SeededGenerator) {
        let fanSum = Float(Swift.max(fanIn + fanOut, 1))
        let fanIn = Float(Swift.max(fanIn, 1))
        switch self {
        case .heUniform:
            let bound = (6 / fanIn).squareRoot()
            weight.fillUniform(low: -bound, high: bound, using: &generator)
        case .heNormal:
            weight.fillNormal(standardDeviation: (2 / fanIn).squareRoot(), using: &generator)
        case .xavierUniform:
            let bound = (6 / fanSum).squareRoot()
            weight.fillUniform(low: -bound, high: bound, using: &generator)
        case .xavierNormal:
            weight.fillNormal(standardDeviation: (2 / fanSum).squareRoot(), using: &generator)
        case .torchDefault:
            let bound = 1 / fanIn.squareRoot()
            weight.fillUniform(low: -bound, high: bound, using: &generator)
        }
    }
}
