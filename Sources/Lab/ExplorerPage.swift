import Datasets
import Foundation
import Gallery
import Models
import NN

/// The live latent explorer: one self-contained HTML file holding a model's decoder (its
/// weights as base64 Float32 and a list of operations) and a hand-written JavaScript forward
/// pass, so that sliders, a 2-D pad and the URL's `#z=…` decode in the browser with no network
/// and no framework. The page writes the bytes it drew into `#pixels`, which the tests read back
/// through headless Chromium and compare with gen's own decode.
public struct ExplorerPage {
    public let model: any GenerativeModel
    /// Test images whose codes are scattered under a 2-D pad (AE and VAE), with their labels.
    public let test: Dataset?
    public let layout: ImageLayout
    public let details: String

    public init(model: any GenerativeModel, test: Dataset?, layout: ImageLayout, details: String) {
        self.model = model
        self.test = test
        self.layout = layout
        self.details = details
    }

    /// Test images in the page's strip.
    public static let stripCount = 12

    /// Why a network cannot run in the page.
    public struct Unsupported: Error, CustomStringConvertible {
        public let description: String
    }

    /// The page's HTML.
    public func html() throws -> String {
        guard let decoder = model.decoderNetwork else {
            throw Unsupported(description: "\(model.displayName) has no single decoder network to run in the browser")
        }
        var program = ExplorerProgram(latent: model.latentDimension)
        try program.append(decoder.network)
        guard case .flat(let count) = program.shape, count == layout.channels * layout.height * layout.width else {
            throw Unsupported(
                description:
                    "the decoder of \(model.displayName) does not end in \(layout.channels)×\(layout.height)×\(layout.width) pixels"
            )
        }
        // Slider ranges: the prior's draws at ±3 standard deviations (uniform prior: its ends).
        let edge: Float = model.prior == .standardNormal ? 3 : 1
        let low = model.codes(
            fromPriorDraws: Tensor(shape: [1, model.latentDimension], repeating: -edge), temperature: 1)
        let high = model.codes(
            fromPriorDraws: Tensor(shape: [1, model.latentDimension], repeating: edge), temperature: 1)
        var fields: [(String, String)] = [
            ("name", jsonQuoted(model.displayName)), ("details", jsonQuoted(details)),
            ("latent", "\(model.latentDimension)"),
            ("prior", jsonQuoted(model.prior == .standardNormal ? "normal" : "uniform")),
            ("low", jsonArray(low.scalars)), ("high", jsonArray(high.scalars)),
            ("channels", "\(layout.channels)"), ("height", "\(layout.height)"), ("width", "\(layout.width)"),
            ("output", jsonQuoted(decoder.output.rawValue)), ("ops", "[" + program.ops.joined(separator: ",") + "]"),
        ]
        if model.latentDimension == 2, let test, let codes = model.encode(test.images(Array(0..<min(test.count, 2000))))
        {
            fields.append(("points", jsonArray(codes.scalars.map { ($0 * 1000).rounded() / 1000 })))
            fields.append(
                ("labels", "[" + test.labels.prefix(codes.shape[0]).map(String.init).joined(separator: ",") + "]"))
            fields.append(("classes", "[" + test.classNames.map(jsonQuoted).joined(separator: ",") + "]"))
        }
        // A strip of test images with their codes: click one to decode its code (AE, VAE).
        if let test, test.count > 0,
            let codes = model.encode(test.images(Array(0..<min(test.count, ExplorerPage.stripCount))))
        {
            // the images as stored: no round trip through floats
            let bytes = test.pixels.prefix(codes.shape[0] * test.imageSize)
            fields.append(("strip", jsonQuoted(Data(bytes).base64EncodedString())))
            fields.append(("stripCodes", jsonArray(codes.scalars)))
        }
        return ExplorerPage.filled(
            ExplorerPage.template, title: "\(model.displayName): live latent explorer", weights: program.weights,
            fields: fields)
    }

    /// Writes the page to `path` (temporary file, then rename) and returns its size in bytes.
    @discardableResult
    public func write(to path: String) throws -> Int { try ExplorerPage.write(html(), to: path) }

    /// `template` with {{TITLE}}, {{WEIGHTS}} (base64 Float32, little-endian) and {{MODEL}} (the
    /// fields as a JSON object) filled in: the model last, and escaped for a script element (class
    /// names come from folder names, and `</script>` or `<!--` in one must not end the page's script).
    static func filled(_ template: String, title: String, weights: [Float], fields: [(String, String)]) -> String {
        template
            .replacingOccurrences(of: "{{TITLE}}", with: GalleryPage.escape(title))
            .replacingOccurrences(
                of: "{{WEIGHTS}}",
                with: weights.withUnsafeBufferPointer { Data(buffer: $0) }.base64EncodedString()
            )
            .replacingOccurrences(of: "{{MODEL}}", with: scriptEmbeddable(jsonObject(fields)))
    }

    /// Writes `html` to `path` (temporary file, then rename) and returns its size in bytes.
    @discardableResult
    public static func write(_ html: String, to path: String) throws -> Int {
        let data = Data(html.utf8)
        try writeAtomically(data, to: path)
        return data.count
    }

    private func jsonArray(_ values: [Float]) -> String {
        "[" + values.map { jsonNumber(Double($0)) }.joined(separator: ",") + "]"
    }
}

/// A decoder flattened into the operations the page's JavaScript runs, with its weights in one array.
struct ExplorerProgram {
    enum ItemShape { case flat(Int), image(Int, Int, Int) }
    var shape: ItemShape
    var ops: [String] = []
    var weights: [Float] = []

    init(latent: Int) { shape = .flat(latent) }

    /// Appends `tensor`'s values and returns their offset.
    mutating func store(_ tensor: Tensor) -> Int {
        defer { weights += tensor.scalars }
        return weights.count
    }

    var count: Int {
        switch shape {
        case .flat(let n): return n
        case .image(let c, let h, let w): return c * h * w
        }
    }

    mutating func append(_ layer: any Layer) throws {
        switch layer {
        case let sequence as Sequential:
            for inner in sequence.layers { try append(inner) }
        case let dense as Dense:
            guard count == dense.inputSize else {
                throw unsupported(layer, "expects \(dense.inputSize) inputs, gets \(count)")
            }
            let w = store(dense.weight.value), b = store(dense.bias.value)
            ops.append(
                #"{"op":"dense","in":\#(dense.inputSize),"out":\#(dense.outputSize),"w":\#(w),"b":\#(b),"act":\#(activation(dense.activation))}"#
            )
            shape = .flat(dense.outputSize)
        case let tied as TiedDense:
            // Wᵀ stored as a plain dense weight (out, in): the page needs no second kind of product.
            guard count == tied.inputSize else {
                throw unsupported(layer, "expects \(tied.inputSize) inputs, gets \(count)")
            }
            let w = store(tied.tiedTo.weight.value.transposed()), b = store(tied.bias.value)
            ops.append(
                #"{"op":"dense","in":\#(tied.inputSize),"out":\#(tied.outputSize),"w":\#(w),"b":\#(b),"act":\#(activation(tied.activation))}"#
            )
            shape = .flat(tied.outputSize)
        case let norm as BatchNorm:
            guard count % norm.channelCount == 0 else {
                throw unsupported(layer, "does not divide \(count) values into channels")
            }
            let g = store(norm.weight.value), b = store(norm.bias.value), m = store(norm.runningMean),
                v = store(norm.runningVariance)
            ops.append(
                #"{"op":"bn","c":\#(norm.channelCount),"s":\#(count / norm.channelCount),"g":\#(g),"b":\#(b),"m":\#(m),"v":\#(v),"eps":\#(norm.epsilon),"act":\#(activation(norm.activation))}"#
            )
        case let reshape as Reshape:
            let item = reshape.itemShape
            guard item.reduce(1, *) == count else { throw unsupported(layer, "cannot reshape \(count) values") }
            shape = item.count == 3 ? .image(item[0], item[1], item[2]) : .flat(count)
        case is Flatten:
            shape = .flat(count)
        case let up as TransposedConv2D:
            guard case .image(let c, let h, let w) = shape, let g = up.geometry(forItem: Shape(c, h, w)) else {
                throw unsupported(layer, "needs an image input, gets \(count) values")
            }
            let wOffset = store(up.weight.value), bOffset = store(up.bias.value)
            ops.append(
                #"{"op":"tconv","cin":\#(c),"cout":\#(g.channels),"k":\#(up.kernelSize),"s":\#(up.stride),"p":\#(up.padding),"h":\#(h),"w":\#(w),"oh":\#(g.height),"ow":\#(g.width),"wt":\#(wOffset),"b":\#(bOffset),"act":\#(activation(up.activation))}"#
            )
            shape = .image(g.channels, g.height, g.width)
        case let act as ElementwiseActivation:
            ops.append(#"{"op":"act","act":\#(activation(act.activation))}"#)
        default:
            throw unsupported(layer, "has no forward pass in the page yet")
        }
    }

    private func activation(_ a: Activation) -> String {
        switch a {
        case .identity: return #"["identity"]"#
        case .relu: return #"["relu"]"#
        case .leakyReLU(let slope): return #"["leaky",\#(slope)]"#
        case .tanh: return #"["tanh"]"#
        case .sigmoid: return #"["sigmoid"]"#
        }
    }

    private func unsupported(_ layer: any Layer, _ why: String) -> ExplorerPage.Unsupported {
        ExplorerPage.Unsupported(description: "the explorer cannot run \(layer) in the browser: it \(why)")
    }
}
