import TensorCore

/// Images kept as bytes (0-255) and converted to floats a batch at a time: Fashion-MNIST's
/// 60,000 training images take 47 MB this way instead of 188 MB as floats.
public struct Dataset: Sendable {
    /// The largest side an image trained on may have, whatever file it came from (PNG files are
    /// read up to `PNGFolder.maximumSide` so that `--image-size` can scale them down to this).
    public static let maximumSide = 1024

    /// A short name for titles and cache keys, e.g. "fashion-mnist".
    public var name: String
    /// Pixels, image after image, each `channels` x `height` x `width` (planar, like PyTorch).
    public var pixels: [UInt8]
    /// One class index per image.
    public var labels: [Int]
    public var height: Int
    public var width: Int
    public var channels: Int
    /// Names of the classes, indexed by label.
    public var classNames: [String]

    public init(
        name: String, pixels: [UInt8], labels: [Int], height: Int, width: Int, channels: Int, classNames: [String]
    ) {
        precondition(pixels.count == labels.count * channels * height * width, "pixel count does not match the images")
        self.name = name
        self.pixels = pixels
        self.labels = labels
        self.height = height
        self.width = width
        self.channels = channels
        self.classNames = classNames
    }

    /// The number of images.
    public var count: Int { labels.count }
    /// Values per image: channels x height x width.
    public var imageSize: Int { channels * height * width }
    /// One image's shape, (C, H, W).
    public var imageShape: Shape { Shape(channels, height, width) }

    /// The first `n` images (or all, if fewer).
    public func prefix(_ n: Int) -> Dataset {
        let n = Swift.min(n, count)
        return Dataset(
            name: name, pixels: Array(pixels[0..<(n * imageSize)]), labels: Array(labels[0..<n]),
            height: height, width: width, channels: channels, classNames: classNames)
    }

    /// The images `indices`, in that order, as a data set called `name` (a name of its own keeps
    /// models trained on a subset apart from those trained on the whole in caches and titles).
    public func subset(_ indices: [Int], name: String) -> Dataset {
        let size = imageSize
        var chosen = [UInt8]()
        chosen.reserveCapacity(indices.count * size)
        for i in indices {
            precondition(i >= 0 && i < count, "image \(i) of a data set of \(count)")
            chosen += pixels[(i * size)..<((i + 1) * size)]
        }
        return Dataset(
            name: name, pixels: chosen, labels: indices.map { labels[$0] }, height: height, width: width,
            channels: channels,
            classNames: classNames)
    }

    /// Every image four times, turned by 0, 90, 180 and 270 degrees counter-clockwise, labelled
    /// by the turn (0-3): the pretext task of Gidaris et al. (2018), "Unsupervised Representation
    /// Learning by Predicting Image Rotations". For square images.
    public func rotations(name: String) -> Dataset {
        precondition(height == width, "rotations need square images, got \(height)×\(width)")
        let side = width, plane = side * side
        var turned = [UInt8](repeating: 0, count: 4 * pixels.count)
        for image in 0..<count {
            for turn in 0..<4 {
                let target = (4 * image + turn) * imageSize
                for channel in 0..<channels {
                    let source = image * imageSize + channel * plane, destination = target + channel * plane
                    for row in 0..<side {
                        for column in 0..<side {
                            // (row, column) of the turned image comes from here in the original.
                            let (r, c): (Int, Int)
                            switch turn {
                            case 0: (r, c) = (row, column)
                            case 1: (r, c) = (column, side - 1 - row)
                            case 2: (r, c) = (side - 1 - row, side - 1 - column)
                            default: (r, c) = (side - 1 - column, row)
                            }
                            turned[destination + row * side + column] = pixels[source + r * side + c]
                        }
                    }
                }
            }
        }
        return Dataset(
            name: name, pixels: turned, labels: (0..<(4 * count)).map { $0 % 4 }, height: height, width: width,
            channels: channels,
            classNames: ["0°", "90°", "180°", "270°"])
    }

    /// Writes images `indices` into `batch` as (N, C*H*W) floats in `range`, reusing its storage.
    public func fill(_ batch: Tensor, indices: ArraySlice<Int>, range: PixelRange) {
        let size = imageSize
        batch.reshape(to: Shape(indices.count, size))  // not a literal: that would allocate per batch
        let (scale, offset) = range.scaleAndOffset
        pixels.withUnsafeBufferPointer { bytes in
            indices.withUnsafeBufferPointer { chosen in
                guard let base = bytes.baseAddress, let rows = chosen.baseAddress else { return }
                var job = FillJob(
                    pixels: base, indices: rows, count: chosen.count, target: batch.data, size: size, scale: scale,
                    offset: offset)
                ThreadTeam.shared.run(&job, parallel: chosen.count * size >= 1 << 14) { context, part, parts in
                    context.assumingMemoryBound(to: FillJob.self).pointee.compute(part, of: parts)
                }
            }
        }
    }

    /// Runs `body` over the images in order, `chunk` at a time, as (≤ chunk, C*H*W) tensors in
    /// `range` (one buffer, reused): for evaluation. The default matches the training batch, so
    /// that evaluation reuses the layers' training buffers instead of growing them.
    public func forEachChunk(of chunk: Int = 128, range: PixelRange, _ body: (Tensor) throws -> Void) rethrows {
        let buffer = Tensor(zeros: Shape(Swift.min(chunk, Swift.max(count, 1)), imageSize))
        var start = 0
        while start < count {
            let end = Swift.min(start + chunk, count)
            fill(buffer, indices: Array(start..<end)[...], range: range)
            try body(buffer)
            start = end
        }
    }

    /// Images `indices` as a new (N, C*H*W) tensor in `range`.
    public func images(_ indices: [Int], range: PixelRange = .unit) -> Tensor {
        let t = Tensor(zeros: [indices.count, imageSize])
        fill(t, indices: indices[...], range: range)
        return t
    }
}

/// Bytes to floats for a range of a batch's rows per part.
struct FillJob {
    let pixels: UnsafePointer<UInt8>
    let indices: UnsafePointer<Int>
    let count: Int
    let target: UnsafeMutablePointer<Float>
    let size: Int
    let scale, offset: Float

    func compute(_ part: Int, of parts: Int) {
        for row in ThreadTeam.range(part, of: parts, in: count) {
            let source = pixels + indices[row] * size, destination = target + row * size
            for j in 0..<size { destination[j] = Float(source[j]) * scale + offset }
        }
    }
}

/// The interval pixels are scaled to.
public enum PixelRange: Sendable {
    /// [0, 1]: for sigmoid outputs and BCE (AE, VAE).
    case unit
    /// [-1, 1]: for tanh outputs (GAN).
    case symmetric

    var scaleAndOffset: (Float, Float) {
        switch self {
        case .unit: return (1 / 255, 0)
        case .symmetric: return (2 / 255, -1)
        }
    }
}

/// A pixel in [0, 1] as the byte 0-255 it is stored as (values outside clamped): the inverse of
/// `PixelRange.unit` for images a model made.
public func pixelByte(_ value: Float) -> UInt8 { UInt8((Swift.min(Swift.max(value, 0), 1) * 255).rounded()) }

/// The class names of the data sets gen knows.
public enum ClassNames {
    public static let fashionMNIST = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]
    public static let digits = (0..<10).map(String.init)
}
