import Foundation
import NN

// What a run will hold in memory, estimated from its settings before anything is allocated, so
// that a model too large for the machine is refused with the figures instead of aborting after
// gigabytes. Per trained value: the weight, its gradient and Adam's two moments (16 bytes);
// per activation value at the batch size: the output, its gradient and the buffers a layer
// keeps for its backward pass (about 16 bytes in all); the data as bytes.

extension ModelKind {
    /// About how many trained values a model of this kind with `settings` has for images of
    /// `image` (C, H, W): its layers' weights and biases, in Double so no size overflows.
    public func parameterEstimate(_ settings: ModelSettings, image: Shape) -> Double {
        let pixels = Double(image.count), latent = Double(settings.latentDimension)
        func dense(_ widths: [Double]) -> Double {
            zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 }
        }
        let hidden = settings.hiddenSizes.map(Double.init)
        switch (self, settings.architecture) {
        case (.pca, _):
            // The encoder and decoder, and the covariance (in Double: 8 bytes a value).
            return 2 * pixels * latent + pixels * pixels
        case (.diffusion, .mlp): return dense([pixels + 32] + hidden + [pixels])
        case (.diffusion, .conv):
            // UNetDenoiser's 3×3 convolutions, channels c0 (the image's), c1, c2, and its time layers.
            let (c0, c1, c2) = (Double(image[0]), hidden.first ?? 1, hidden.last ?? 1)
            let convolutions =
                c0 * c1 + 3 * c1 * c1 + c1 * c2 + 4 * c2 * c2 + 3 * c2 * c2 + (c2 + c1) * c1 + c1 * c1 + c1 * c0
            return 9 * convolutions + 32 * 4 * c1 + 16 * c1 * c1 + 4 * c1 * (3 * c1 + 3 * c2)
        case (_, .mlp):
            let encoder = dense([pixels] + hidden + (self == .vae ? [] : [latent]))
            let heads = self == .vae ? 2 * ((hidden.last ?? pixels) * latent + latent) : 0
            let decoder = dense([latent] + hidden.reversed() + [pixels])
            switch self {
            case .gan: return dense([latent] + hidden + [pixels]) + dense([pixels] + hidden.reversed() + [1])
            // Tied: the decoder's weights are the encoder's, only its biases its own.
            default: return encoder + heads + (settings.tiedWeights ? hidden.reduce(0, +) + pixels : decoder)
            }
        case (_, .conv):
            var convolutions = 0.0, previous = Double(image[0])
            for width in hidden {
                convolutions += previous * Double(width) * 16 + Double(width)
                previous = Double(width)
            }
            let features = Double(convolutionalFeatureCount(image: image, channels: settings.hiddenSizes))
            return 2 * convolutions + 2 * features * latent * (self == .vae ? 1.5 : 1)
        }
    }

    /// About how many activation values one image flows through in a training step.
    func activationEstimate(_ settings: ModelSettings, image: Shape) -> Double {
        let pixels = Double(image.count)
        switch settings.architecture {
        case .mlp:
            return 2 * (pixels + settings.hiddenSizes.reduce(0) { $0 + Double($1) } + Double(settings.latentDimension))
        case .conv where self == .diffusion:
            // Every layer of the U-Net keeps its output and its input's gradient (SiLU its input
            // too), two blocks of them at the image's resolution: fitted to the peaks measured for
            // 128 items at once, 0.73 GB for channels 16-32 and 1.39 GB for 32-64, when GroupNorm
            // still kept a map of x̂ as well (a little above the peak now).
            let plane = Double(image[1] * image[2])
            let (first, second) = (Double(settings.hiddenSizes.first ?? 1), Double(settings.hiddenSizes.last ?? 1))
            return 12 * plane * first + 6 * plane * second
        case .conv:
            var values = pixels, side = Double(image[1] * image[2])
            for width in settings.hiddenSizes {
                side /= 4
                values += Double(width) * side * 2  // the map and its activated (or batch-normed) copy
            }
            return 2 * values
        }
    }

    /// About how many bytes training a model of this kind with `settings` on `images` images of
    /// `image` takes at `batchSize`: weights with their gradients and Adam's moments (PCA: its
    /// covariance in Double), the activations of a batch, and the data as bytes.
    public func memoryEstimate(_ settings: ModelSettings, image: Shape, images: Int, batchSize: Int) -> Double {
        // A weight average keeps one more copy (4 bytes a value).
        let parameters =
            parameterEstimate(settings, image: image) * (self == .pca ? 8 : settings.averageDecay == nil ? 16 : 20)
        // A diffusion model's denoiser takes the batch a slice at a time.
        let perItem = activationEstimate(settings, image: image)
        let itemsAtOnce =
            self == .diffusion ? min(batchSize, DiffusionModel.sliceSize(activationsPerItem: perItem)) : batchSize
        let activations = perItem * Double(itemsAtOnce) * 16
        return parameters + activations + Double(images) * Double(image.count)
    }
}

/// The memory this machine has available now (MemAvailable), in bytes; nil where it cannot be read.
public func availableMemory() -> Double? {
    procKilobytes("/proc/meminfo", field: "MemAvailable").map { $0 * 1024 }
}

/// The kilobytes a Linux /proc file gives on its `field:` line ("MemAvailable:  123 kB" in
/// /proc/meminfo, "VmHWM:  456 kB" in /proc/self/status); nil where the file or field is missing.
public func procKilobytes(_ path: String, field: String) -> Double? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8),
        let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
    else { return nil }
    return line.split(separator: " ").dropFirst().first.flatMap { Double($0) }
}
