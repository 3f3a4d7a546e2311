import NN

// The denoising autoencoder's corruption q(x̃ | x) (Vincent et al. 2008, "Extracting and
// Composing Robust Features with Denoising Autoencoders"): the network sees x̃ and is scored
// against the clean x. Draws come from the generator the trainer hands each step, which is
// derived from the seed and the epoch: new noise every epoch, the same noise on every rerun.

/// A way of corrupting images with pixels in [0, 1].
public enum Corruption: Equatable, Sendable, CustomStringConvertible {
    /// x̃ = x + σ ε, ε ~ N(0, I): additive isotropic Gaussian noise, not clipped.
    case gaussian(sigma: Float)
    /// Each pixel set to 0 with probability `fraction` (Vincent's masking noise).
    case mask(fraction: Float)
    /// Each pixel, with probability `fraction`, set to 0 or 1 with equal odds.
    case saltPepper(fraction: Float)
    /// A `side` x `side` square at a uniformly random place set to 0: the hole a context encoder
    /// learns to fill (Pathak et al. 2016). For square grey images.
    case square(side: Int)
    /// Each `factor` x `factor` block replaced by its mean: the image at 1/`factor` of its
    /// resolution, shown at full size (super-resolution learns to undo it). For square grey
    /// images whose side `factor` divides; draws nothing.
    case lowResolution(factor: Int)
    /// A white stroke `width` pixels wide along a random straight line from the left edge to the
    /// right: a drawn mark over the picture, as a watermark is (removal learns to undo it). For
    /// square grey images.
    case stroke(width: Int)

    /// Parses `gaussian:SIGMA`, `mask:FRACTION` or `salt-pepper:FRACTION`; nil otherwise.
    public init?(argument: String) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let value = Float(parts[1]), value.isFinite else { return nil }
        switch parts[0] {
        case "gaussian" where value > 0 && value <= 10: self = .gaussian(sigma: value)
        case "mask" where value > 0 && value < 1: self = .mask(fraction: value)
        case "salt-pepper" where value > 0 && value < 1: self = .saltPepper(fraction: value)
        case "square" where value >= 1 && value <= 4096 && value == value.rounded(): self = .square(side: Int(value))
        case "low-resolution" where value >= 2 && value <= 64 && value == value.rounded():
            self = .lowResolution(factor: Int(value))
        case "stroke" where value >= 1 && value <= 64 && value == value.rounded(): self = .stroke(width: Int(value))
        default: return nil
        }
    }

    /// What the flag's value must look like.
    public static let expected =
        "gaussian:SIGMA (0 < SIGMA ≤ 10), mask:FRACTION or salt-pepper:FRACTION (0 < FRACTION < 1), square:SIDE (a whole number of pixels), low-resolution:FACTOR (2 to 64) or stroke:WIDTH (1 to 64 pixels)"

    /// The flag's spelling: `gaussian:0.5`.
    public var argument: String {
        switch self {
        case .gaussian(let sigma): return "gaussian:\(sigma)"
        case .mask(let fraction): return "mask:\(fraction)"
        case .saltPepper(let fraction): return "salt-pepper:\(fraction)"
        case .square(let side): return "square:\(side)"
        case .lowResolution(let factor): return "low-resolution:\(factor)"
        case .stroke(let width): return "stroke:\(width)"
        }
    }

    public var description: String {
        switch self {
        case .gaussian(let sigma): return "Gaussian noise, σ = \(sigma)"
        case .mask(let fraction): return "masking noise, \(fraction * 100)% of pixels set to 0"
        case .saltPepper(let fraction): return "salt-and-pepper noise, \(fraction * 100)% of pixels set to 0 or 1"
        case .square(let side): return "a \(side)×\(side) square at a random place set to 0"
        case .lowResolution(let factor): return "each \(factor)×\(factor) block replaced by its mean"
        case .stroke(let width): return "a white stroke \(width) pixels wide along a random line across the image"
        }
    }

    /// Writes a corrupted copy of `clean` into `noisy` (same shape, another tensor: Gaussian noise
    /// is drawn into `noisy` before `clean` is added to it).
    public func apply(_ clean: Tensor, into noisy: Tensor, generator: inout SeededGenerator) {
        precondition(clean.shape == noisy.shape, "corruption: \(clean.shape) into \(noisy.shape)")
        precondition(
            clean.data != noisy.data, "corruption: the noisy copy must be another tensor than the clean images")
        let x = clean.data, y = noisy.data
        switch self {
        case .gaussian(let sigma):
            noisy.fillNormal(standardDeviation: sigma, using: &generator)  // the draws of one nextNormal() per pixel
            for i in 0..<clean.count { y[i] += x[i] }
        case .mask(let fraction):
            for i in 0..<clean.count { y[i] = generator.nextUniform() < fraction ? 0 : x[i] }
        case .saltPepper(let fraction):
            for i in 0..<clean.count {
                let u = generator.nextUniform()
                // u < fraction: hit; which half of [0, fraction) it fell in picks salt or pepper.
                y[i] = u < fraction ? (u < fraction / 2 ? 0 : 1) : x[i]
            }
        case .square(let side):
            let plane = Self.plane(of: clean)
            precondition(side <= plane, "a \(side)-pixel square in \(plane)×\(plane) images")
            (y).update(from: x, count: clean.count)
            for image in 0..<clean.shape[0] {
                let top = generator.nextInt(below: plane - side + 1), left = generator.nextInt(below: plane - side + 1)
                for row in top..<(top + side) {
                    (y + image * plane * plane + row * plane + left).update(repeating: 0, count: side)
                }
            }
        case .lowResolution(let factor):
            let plane = Self.plane(of: clean)
            precondition(plane % factor == 0, "blocks of \(factor) in \(plane)×\(plane) images")
            for image in 0..<clean.shape[0] {
                let base = image * plane * plane
                for top in stride(from: 0, to: plane, by: factor) {
                    for left in stride(from: 0, to: plane, by: factor) {
                        var sum: Float = 0
                        for r in top..<(top + factor) {
                            for c in left..<(left + factor) { sum += x[base + r * plane + c] }
                        }
                        let mean = sum / Float(factor * factor)
                        for r in top..<(top + factor) {
                            for c in left..<(left + factor) { y[base + r * plane + c] = mean }
                        }
                    }
                }
            }
        case .stroke(let width):
            let plane = Self.plane(of: clean)
            precondition(width < plane, "a \(width)-pixel stroke across \(plane)×\(plane) images")
            (y).update(from: x, count: clean.count)
            for image in 0..<clean.shape[0] {
                // From (0, a) to (plane − 1, b): every column gets `width` rows centred on the line,
                // kept inside the image.
                let span = Float(max(plane - 1, 1))
                let (a, b) = (generator.nextUniform(0, span), generator.nextUniform(0, span))
                for column in 0..<plane {
                    let centre = a + (b - a) * Float(column) / span
                    let top = min(max(Int((centre - Float(width - 1) / 2).rounded()), 0), plane - width)
                    for row in top..<(top + width) { y[image * plane * plane + row * plane + column] = 1 }
                }
            }
        }
    }

    /// The side of the square grey images of `clean`: the square, low-resolution and stroke
    /// corruptions need them, and `problem(image:)` refuses other images before any training.
    static func plane(of clean: Tensor) -> Int {
        guard let side = squareSide(clean.shape.countPerItem) else {
            preconditionFailure("a corruption for square grey images, got items of \(clean.shape.countPerItem) values")
        }
        return side
    }

    /// The side of a square grey image of `size` values, or nil when `size` is not a square.
    static func squareSide(_ size: Int) -> Int? {
        let side = Int(Double(size).squareRoot().rounded())
        return side * side == size ? side : nil
    }

    /// Why this corruption cannot apply to images of `image` (C, H, W), or nil.
    public func problem(image: Shape) -> ModelProblem? {
        switch self {
        case .gaussian, .mask, .saltPepper: return nil
        case .square(let side):
            guard image[0] == 1 && image[1] == image[2] else {
                return .corruptionNeedsSquareGreyImages(argument, image: image.dimensions)
            }
            return side < image[1] ? nil : .squareCorruptionTooLarge(side: side, imageSide: image[1])
        case .lowResolution(let factor):
            guard image[0] == 1 && image[1] == image[2] else {
                return .corruptionNeedsSquareGreyImages(argument, image: image.dimensions)
            }
            return image[1] % factor == 0 ? nil : .blocksDoNotDivide(factor: factor, imageSide: image[1])
        case .stroke(let width):
            guard image[0] == 1 && image[1] == image[2] else {
                return .corruptionNeedsSquareGreyImages(argument, image: image.dimensions)
            }
            return width < image[1] ? nil : .strokeTooWide(width: width, imageSide: image[1])
        }
    }

    /// A corrupted copy of `clean`.
    public func applied(to clean: Tensor, generator: inout SeededGenerator) -> Tensor {
        let noisy = Tensor(zeros: clean.shape)
        apply(clean, into: noisy, generator: &generator)
        return noisy
    }
}

extension Corruption: ArgumentCodable {}

/// A value written in checkpoints as its flag's spelling (`gaussian:0.5`), read back through the
/// same parser as the flag.
public protocol ArgumentCodable: Codable {
    init?(argument: String)
    var argument: String { get }
}

extension ArgumentCodable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(argument: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a \(Self.self): \(text)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(argument)
    }
}
