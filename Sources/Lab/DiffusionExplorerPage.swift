import Datasets
import Foundation
import Gallery
import Models
import NN

/// The diffusion model's live explorer: one self-contained HTML file holding the denoiser's
/// weights (base64 Float32), each layer's configuration, the schedule's ᾱ_t and a hand-written
/// JavaScript forward pass of the denoiser, which runs DDIM from a noise x_T in the browser: the
/// reverse process is drawn step by step, with the milliseconds it took. The page writes the bytes
/// of its last sample into `#pixels`, which the tests read back through headless Chromium and
/// compare with gen's own decode of the same x_T.
public struct DiffusionExplorerPage {
    public let model: DiffusionModel
    public let layout: ImageLayout
    public let details: String

    public init(model: DiffusionModel, layout: ImageLayout, details: String) {
        self.model = model
        self.layout = layout
        self.details = details
    }

    /// DDIM step counts the page offers (those up to T); it starts at the model's own
    /// `samplingSteps`, so that an x_T gives the image gen's samples give it.
    public static let stepChoices = [1, 2, 5, 10, 20, 50, 100]

    /// The page's HTML; the denoiser must be one the page can run (the U-Net or the MLP).
    public func html() throws -> String {
        guard model.imagesInSymmetricRange, layout.channels * layout.height * layout.width == model.latentDimension
        else {
            throw ExplorerPage.Unsupported(
                description:
                    "the explorer draws images: \(model.displayName) makes \(model.latentDimension) numbers, not \(layout.channels)×\(layout.height)×\(layout.width) pixels"
            )
        }
        var weights: [Float] = []
        func store(_ tensor: Tensor) -> Int {
            defer { weights += tensor.scalars }
            return weights.count
        }
        // Each layer by name, with what the page needs to run it: the U-Net's JavaScript follows
        // UNetDenoiser.predictNoise by these names; the MLP's runs its layers in order.
        func described(_ layer: any Layer) throws -> String {
            switch layer {
            case let conv as Conv2D where conv.activation == .identity:
                let w = store(conv.weight.value), b = store(conv.bias.value)
                return
                    #"{"op":"conv","cin":\#(conv.inputChannels),"cout":\#(conv.outputChannels),"k":\#(conv.kernelSize),"s":\#(conv.stride),"p":\#(conv.padding),"w":\#(w),"b":\#(b)}"#
            case let norm as GroupNorm:
                let g = store(norm.weight.value), b = store(norm.bias.value)
                return
                    #"{"op":"gn","c":\#(norm.channelCount),"groups":\#(norm.groupCount),"eps":\#(norm.epsilon),"g":\#(g),"b":\#(b)}"#
            case let dense as Dense where dense.activation == .identity:
                let w = store(dense.weight.value), b = store(dense.bias.value)
                return #"{"op":"dense","in":\#(dense.inputSize),"out":\#(dense.outputSize),"w":\#(w),"b":\#(b)}"#
            case is SiLU:
                return #"{"op":"silu"}"#
            default:
                throw ExplorerPage.Unsupported(
                    description: "the explorer cannot run \(layer) of \(model.displayName)'s denoiser in the browser")
            }
        }
        let denoiser: String
        switch model.denoiser {
        case let unet as UNetDenoiser:
            let layers = try unet.layers.entries.map { (jsonQuoted($0.name), try described($0.layer)) }
            denoiser = jsonObject([
                ("kind", jsonQuoted("unet")), ("embedding", "\(unet.embeddingSize)"),
                ("layers", "{" + layers.map { "\($0.0):\($0.1)" }.joined(separator: ",") + "}"),
            ])
        case let mlp as MLPDenoiser:
            denoiser = jsonObject([
                ("kind", jsonQuoted("mlp")), ("embedding", "\(mlp.embeddingSize)"),
                ("sequence", "[" + (try mlp.network.layers.map(described)).joined(separator: ",") + "]"),
            ])
        default:
            throw ExplorerPage.Unsupported(
                description: "the explorer has no forward pass for \(model.denoiser.description) in the browser")
        }
        // ᾱ_0 … ᾱ_T as Swift prints a Double (the shortest text that reads back the same number):
        // near t = 0, 1 − ᾱ_t is 1e-4, and six digits would move √(1 − ᾱ_t) by a percent.
        let alphaBar = (0...model.schedule.steps).map { "\(model.schedule.alphaBar($0))" }.joined(separator: ",")
        let fields: [(String, String)] = [
            ("name", jsonQuoted(model.displayName)), ("details", jsonQuoted(details)),
            ("latent", "\(model.latentDimension)"), ("T", "\(model.schedule.steps)"),
            ("schedule", jsonQuoted(model.schedule.kind.rawValue)), ("alphaBar", "[" + alphaBar + "]"),
            ("channels", "\(layout.channels)"), ("height", "\(layout.height)"), ("width", "\(layout.width)"),
            (
                "stepChoices",
                "["
                    + DiffusionExplorerPage.stepChoices.filter { $0 <= model.schedule.steps }.map(String.init)
                    .joined(separator: ",") + "]"
            ),
            ("steps", "\(model.samplingSteps)"),
            ("denoiser", denoiser),
        ]
        return ExplorerPage.filled(
            DiffusionExplorerPage.template, title: "\(model.displayName): denoising in the browser", weights: weights,
            fields: fields)
    }

    /// Writes the page to `path` (temporary file, then rename) and returns its size in bytes.
    @discardableResult
    public func write(to path: String) throws -> Int { try ExplorerPage.write(html(), to: path) }
}
