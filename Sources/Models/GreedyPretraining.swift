import NN

// Greedy layer-wise pretraining of a deep autoencoder (Hinton & Salakhutdinov 2006; Bengio et
// al. 2007, "Greedy Layer-Wise Training of Deep Networks"). For encoder layers E_1 … E_L and the
// decoder layers D_L … D_1 that mirror them (D_k maps E_k's output back to E_k's input):
//   stage k trains the shallow autoencoder D_k ∘ E_k on h_{k-1} = E_{k-1} ∘ … ∘ E_1 (x),
//   the codes of the layers below, which stay fixed; h_0 = x.
// Stage 1 scores against the images with the model's reconstruction loss; stages k > 1 with the
// squared error against the codes h_{k-1} (real-valued ReLU activations), summed over units and
// averaged over images. Each stage is a parameter group of its own (the trainer gives it its own
// optimizer): a stage must not move the layers of another through the momentum they kept. The
// end-to-end fine-tuning follows, with the model's corruption and penalties (the stages are
// plain autoencoders).

/// The stages of greedy layer-wise pretraining over a stack of `Dense` layers.
public final class GreedyPretraining: CustomStringConvertible {
    /// Epochs each stage trains.
    public let epochsPerLayer: Int
    /// E_1 … E_L.
    public let encoderLayers: [Dense]
    /// D_1 … D_L: `decoderLayers[k]` maps `encoderLayers[k]`'s output back to its input.
    public let decoderLayers: [any Layer]
    private let criteria: [ReconstructionCriterion]
    /// Each stage's parameters: E_k's and D_k's.
    public let stageParameters: [[Parameter]]

    /// The stages over `encoder`'s layers and `decoder`'s in reverse order. Both must be
    /// `Sequential`s of as many `Dense` (decoder: `Dense` or `TiedDense`) layers, mirrored
    /// (`problem(encoder:decoder:)` is nil).
    public init(encoder: any Layer, decoder: any Layer, epochsPerLayer: Int, imageLoss: ReconstructionLoss) {
        precondition(epochsPerLayer > 0, "greedy pretraining needs at least one epoch per layer")
        let pairs: (encoder: [Dense], decoder: [any Layer])
        switch GreedyPretraining.pairs(encoder: encoder, decoder: decoder) {
        case .success(let found): pairs = found
        case .failure(let problem): preconditionFailure(problem.description)
        }
        self.epochsPerLayer = epochsPerLayer
        (encoderLayers, decoderLayers) = pairs
        criteria = encoderLayers.indices.map { ($0 == 0 ? imageLoss : .mse).criterion() }
        stageParameters = zip(encoderLayers, decoderLayers).map { pair in
            (pair.0.parameters.map { $0.prefixed("encoder") } + pair.1.parameters.map { $0.prefixed("decoder") })
                .deduplicated()
        }
    }

    /// Why `encoder` and `decoder` cannot be pretrained layer by layer, or nil.
    public static func problem(encoder: any Layer, decoder: any Layer) -> ModelProblem? {
        if case .failure(let problem) = pairs(encoder: encoder, decoder: decoder) { return problem }
        return nil
    }

    /// E_1 … E_L and D_1 … D_L (the decoder's layers in reverse order) when every D_k maps E_k's
    /// outputs back to its inputs; the first mismatch otherwise.
    static func pairs(encoder: any Layer, decoder: any Layer) -> Result<
        (encoder: [Dense], decoder: [any Layer]), ModelProblem
    > {
        guard let e = encoder as? Sequential, let d = decoder as? Sequential, e.layers.count == d.layers.count,
            case let encoderLayers = e.layers.compactMap({ $0 as? Dense }), encoderLayers.count == e.layers.count
        else {
            return .failure(
                .pretrainingNeedsMirroredNetworks(detail: "the networks are not Sequentials of as many Dense layers"))
        }
        let decoderLayers = Array(d.layers.reversed())
        for (k, (encoderLayer, decoderLayer)) in zip(encoderLayers, decoderLayers).enumerated() {
            let (input, output) = (encoderLayer.inputSize, encoderLayer.outputSize)
            let mirror =
                (decoderLayer as? Dense).map { ($0.inputSize, $0.outputSize) }
                ?? (decoderLayer as? TiedDense).map { ($0.inputSize, $0.outputSize) }
            guard let mirror, mirror == (output, input) else {
                return .failure(
                    .pretrainingNeedsMirroredNetworks(
                        detail:
                            "decoder layer \(d.layers.count - k) (\(decoderLayer)) does not map encoder layer \(k + 1)'s \(output) outputs back to its \(input) inputs"
                    ))
            }
        }
        return .success((encoderLayers, decoderLayers))
    }

    /// Pretraining epochs in all: `epochsPerLayer` per layer.
    public var epochs: Int { epochsPerLayer * encoderLayers.count }

    /// The stage (0-based) epoch `epoch` (from 1) trains, or nil once pretraining is over.
    public func stage(ofEpoch epoch: Int) -> Int? { epoch >= 1 && epoch <= epochs ? (epoch - 1) / epochsPerLayer : nil }

    public var description: String { "greedy, \(epochsPerLayer) epochs per layer, then end to end" }

    /// The loss of stage `stage` on a batch of images, the stage's shallow autoencoder on the
    /// codes of the layers below, with its gradients added into `stageParameters[stage]`.
    public func accumulateGradients(stage k: Int, images: Tensor) -> Float {
        var h = images
        for layer in encoderLayers[..<k] { h = layer.forward(h, training: false) }  // h_{k-1}, the fixed layers' codes
        let encoderLayer = encoderLayers[k], decoderLayer = decoderLayers[k]
        let needsInputGradient = encoderLayer.computesInputGradient
        encoderLayer.computesInputGradient = false  // nothing below learns in this stage
        let output = decoderLayer.forward(encoderLayer.forward(h, training: true), training: true)
        let (loss, dOutput) = criteria[k].lossAndGradient(output: output, targets: h)
        _ = encoderLayer.backward(decoderLayer.backward(dOutput))
        encoderLayer.computesInputGradient = needsInputGradient
        return loss
    }
}
