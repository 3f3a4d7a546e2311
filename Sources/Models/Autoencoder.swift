import Datasets
import Foundation
import NN

// A plain (undercomplete) autoencoder: x → encoder → code h (bottleneck) → decoder → x̂.
// Rumelhart, Hinton & Williams 1986; Hinton & Salakhutdinov 2006, "Reducing the Dimensionality
// of Data with Neural Networks". Default 784-512-ReLU-32 | 32-512-ReLU-784 with BCE summed over
// pixels and averaged over images (PyTorch reference: bench/torch_anchor.py).
// The lectures' variants are settings of this one model (`AutoencoderObjective`, and the
// networks given): per image,
//   loss = reconstruction(decoder(encoder(x̃)), x) + sparsity(h) + λ ‖J_f(x̃)‖²_F
// with x̃ = x (plain) or a corrupted copy (denoising), h = encoder(x̃); a tied decoder (W' = Wᵀ)
// and greedy layer-wise pretraining (`GreedyPretraining`) change how it is built and trained.
// Sampling from random codes, each unit uniform between the min and max seen in training (over
// the last epoch's batches), shows why a plain AE generates poorly: nothing makes the space
// between codes decode to images.

/// An autoencoder from any encoder and decoder, trained with an `AutoencoderObjective`.
public final class Autoencoder: GenerativeModel {
    public let name: String
    public let displayName: String
    /// x (N, C*H*W) → h (N, latent)
    public let encoder: any Layer
    /// h (N, latent) → output (N, C*H*W): logits (BCE) or pixel means (MSE)
    public let decoder: any Layer
    public let latentDimension: Int
    /// The reconstruction loss, corruption and penalties it is trained with.
    public let objective: AutoencoderObjective
    /// Per code unit, the smallest and largest value seen on the training set (for sampling).
    public let codeMinimum: Tensor
    public let codeMaximum: Tensor
    /// Greedy layer-wise pretraining before end-to-end training, if asked for.
    public let pretraining: GreedyPretraining?
    let criterion: ReconstructionCriterion
    private let penalties: CodePenalties
    private let layers: NamedLayers
    /// Every trained tensor, each once.
    public let parameters: [Parameter]
    private var sums = (loss: 0.0, reconstruction: 0.0, penalty: 0.0), imageCount = 0
    private let epochCodeMinimum: Tensor, epochCodeMaximum: Tensor
    private var noisy: Tensor?
    /// The pretraining stage the current epoch trains, nil when training end to end.
    private var stage: Int?

    /// An autoencoder whose `encoder` maps images to `latentDimension` code units and whose
    /// `decoder` maps codes to outputs (`objective.reconstruction` says whether logits or pixel
    /// means). With `pretrainingEpochsPerLayer` > 0, the first epochs pretrain the layers greedily (`GreedyPretraining`: both networks must be
    /// `Sequential`s of `Dense` layers, the decoder mirroring the encoder). The contractive
    /// penalty needs an encoder that is one `Dense` layer.
    public init(
        encoder: any Layer, decoder: any Layer, latentDimension: Int,
        objective: AutoencoderObjective = AutoencoderObjective(),
        pretrainingEpochsPerLayer: Int = 0, name: String = "ae", displayName: String = ModelKind.ae.displayName
    ) {
        self.name = name
        self.displayName = displayName
        self.encoder = encoder
        self.decoder = decoder
        self.latentDimension = latentDimension
        self.objective = objective
        criterion = objective.reconstruction.criterion()
        penalties = CodePenalties(objective, codeLayer: Autoencoder.oneDenseLayer(encoder))
        layers = NamedLayers([("encoder", encoder), ("decoder", decoder)])
        parameters = layers.parameters
        pretraining =
            pretrainingEpochsPerLayer > 0
            ? GreedyPretraining(
                encoder: encoder, decoder: decoder, epochsPerLayer: pretrainingEpochsPerLayer,
                imageLoss: objective.reconstruction)
            : nil
        codeMinimum = Tensor(shape: [latentDimension], repeating: -1)
        codeMaximum = Tensor(shape: [latentDimension], repeating: 1)
        epochCodeMinimum = Tensor(zeros: [latentDimension])
        epochCodeMaximum = Tensor(zeros: [latentDimension])
    }

    /// The multilayer default: inputSize-hidden...-ReLU-latent (the code units' activation
    /// `codeActivation`), mirrored for the decoder; no `hiddenSizes` gives the one-layer
    /// x → h → x̂. With `tiedWeights`, each decoder layer is the transpose of its mirror in the
    /// encoder (`TiedDense`), with its own bias.
    public convenience init(
        inputSize: Int = 784, hiddenSizes: [Int] = [512], latentDimension: Int = 32,
        codeActivation: CodeActivation = .identity, tiedWeights: Bool = false,
        objective: AutoencoderObjective = AutoencoderObjective(), pretrainingEpochsPerLayer: Int = 0,
        seed: UInt64
    ) {
        var g = SeededGenerator(seed: seed)
        let encoder = multilayerPerceptron(
            [inputSize] + hiddenSizes + [latentDimension], hidden: .relu, output: codeActivation.activation,
            inputIsData: true, generator: &g)
        let decoder: Sequential
        if tiedWeights {
            let mirrored = encoder.layers.reversed().compactMap { $0 as? Dense }
            decoder = Sequential(
                mirrored.enumerated().map { index, layer in
                    TiedDense(
                        transposeOf: layer, activation: index == mirrored.count - 1 ? .identity : .relu, generator: &g)
                })
        } else {
            decoder = multilayerPerceptron(
                [latentDimension] + hiddenSizes.reversed() + [inputSize], hidden: .relu, inputIsData: false,
                generator: &g)
        }
        self.init(
            encoder: encoder, decoder: decoder, latentDimension: latentDimension, objective: objective,
            pretrainingEpochsPerLayer: pretrainingEpochsPerLayer)
    }

    /// The encoder's one `Dense` layer, when it is one (alone or in a `Sequential`).
    static func oneDenseLayer(_ encoder: any Layer) -> Dense? {
        if let dense = encoder as? Dense { return dense }
        if let sequence = encoder as? Sequential, sequence.layers.count == 1 { return sequence.layers[0] as? Dense }
        return nil
    }

    public var pixelRange: PixelRange { .unit }
    public var reconstructionLoss: ReconstructionLoss { objective.reconstruction }
    public var lossDescription: String { objective.description }
    public var samplingDescription: String {
        "Decoded random codes, each unit uniform between its minimum and maximum in training: a plain AE's codes leave gaps that decode to poor images."
    }

    /// The plain AE's configuration as before the variants existed (so its cached checkpoints
    /// stay valid), plus whatever a variant sets.
    public func configurationJSON(optimizer: String) -> String {
        var fields = [
            ("model", jsonQuoted(name)), ("encoder", jsonQuoted(encoder.description)),
            ("decoder", jsonQuoted(decoder.description)),
            ("latent", "\(latentDimension)"), ("loss", jsonQuoted(lossDescription)),
            ("optimizer", jsonQuoted(optimizer)),
        ]
        if let pretraining { fields.append(("pretraining", jsonQuoted(pretraining.description))) }
        return jsonObject(fields)
    }

    public var stateTensors: [NamedTensor] {
        layers.stateTensors + [
            NamedTensor(name: "codeMinimum", value: codeMinimum), NamedTensor(name: "codeMaximum", value: codeMaximum),
        ]
    }

    /// Group 0, every parameter, trained end to end; then, with greedy pretraining, one group
    /// per stage (its optimizer's state under "pretraining.<stage>"): a stage must not move the
    /// layers of another through the momentum they kept.
    public var parameterGroups: [ParameterGroup] {
        [ParameterGroup(name: "model", parameters: parameters, stateName: "optimizer")]
            + (pretraining?.stageParameters.enumerated().map { k, stage in
                ParameterGroup(name: "pretraining stage \(k + 1)", parameters: stage, stateName: "pretraining.\(k + 1)")
            } ?? [])
    }

    /// Epochs the greedy pretraining takes before end-to-end training (0 without it).
    public var pretrainingEpochs: Int { pretraining?.epochs ?? 0 }

    public func beginEpoch() { beginEpoch(number: pretrainingEpochs + 1) }

    /// Epoch `number` (from 1) pretrains a layer while `number` ≤ `pretrainingEpochs`.
    public func beginEpoch(number: Int) {
        sums = (0, 0, 0); imageCount = 0
        stage = pretraining?.stage(ofEpoch: number)
        epochCodeMinimum.fill(.infinity); epochCodeMaximum.fill(-.infinity)
    }

    /// A pretraining epoch updates its stage's group alone; an end-to-end epoch the whole model.
    public func updates(group: Int) -> Bool { group == (stage.map { $0 + 1 } ?? 0) }

    /// Group 0: the objective per image, reconstruction(decoder(encoder(x̃)), x) + penalties;
    /// a stage's group: that stage's shallow autoencoder (`GreedyPretraining`).
    public func accumulateGradients(group: Int, batch: Batch, generator: inout SeededGenerator) -> Float {
        let x = batch.images, n = x.shape[0]
        if group > 0, let pretraining {
            let value = pretraining.accumulateGradients(stage: group - 1, images: x)
            sums.loss += Double(value) * Double(n); imageCount += n
            return value
        }
        var input = x
        if let corruption = objective.corruption {
            input = Tensor.reuse(&noisy, shape: x.shape)
            corruption.apply(x, into: input, generator: &generator)
        }
        let h = encoder.forward(input, training: true)
        // The codes seen in training, for sampling: tracked here, where they are computed anyway.
        h.widenColumnRanges(minimum: epochCodeMinimum, maximum: epochCodeMaximum)
        let output = decoder.forward(h, training: true)
        let (reconstruction, dOutput) = criterion.lossAndGradient(output: output, targets: x)
        let dCode = decoder.backward(dOutput)
        let penalty = objective.penalised ? penalties.apply(codes: h, addingInto: dCode) : 0
        _ = encoder.backward(dCode)
        sums.loss += Double(reconstruction + penalty) * Double(n)
        sums.reconstruction += Double(reconstruction) * Double(n); sums.penalty += Double(penalty) * Double(n)
        imageCount += n
        return reconstruction + penalty
    }

    /// Also adopts the epoch's code ranges for sampling (after end-to-end epochs).
    public func epochMetrics() -> [(Metric, Double)] {
        let count = Double(max(imageCount, 1))
        if let stage { return [(.trainLoss, sums.loss / count), (.pretrainingLayer, Double(stage + 1))] }
        if imageCount > 0 { codeMinimum.assign(epochCodeMinimum); codeMaximum.assign(epochCodeMaximum) }
        var metrics: [(Metric, Double)] = [(.trainLoss, sums.loss / count)]
        if objective.penalised {
            metrics += [(.trainReconstruction, sums.reconstruction / count), (.trainPenalty, sums.penalty / count)]
        }
        return metrics
    }

    /// `test_loss`: the training objective on the test images (their corrupted copies, drawn
    /// from `generator`, for a denoising AE; penalties included); `test_reconstruction`: the
    /// reconstruction loss of the clean images (the same for a plain AE).
    public func evaluate(_ test: Dataset, generator: inout SeededGenerator) -> [(Metric, Double)] {
        var reconstruction = 0.0, objectiveTotal = 0.0
        let variant = objective.corruption != nil || objective.penalised
        test.forEachChunk(range: .unit) { x in
            let n = Double(x.shape[0])
            reconstruction += Double(criterion.loss(output: decoder(encoder(x)), targets: x)) * n
            guard variant else { return }
            let h = encoder(objective.corruption?.applied(to: x, generator: &generator) ?? x)
            var value = criterion.loss(output: decoder(h), targets: x)
            if objective.penalised { value += penalties.apply(codes: h, addingInto: Tensor(zeros: h.shape)) }
            objectiveTotal += Double(value) * n
        }
        let count = Double(max(test.count, 1))
        return [
            (.testLoss, (variant ? objectiveTotal : reconstruction) / count),
            (.testReconstruction, reconstruction / count),
        ]
    }

    /// Uniform draws in [-1, 1], mapped onto each unit's training range by `codes(fromPriorDraws:)`.
    public var prior: Prior { .uniform }

    /// Each unit uniform between the minimum and maximum code seen in training (the lecture's
    /// recipe); `temperature` shrinks or widens the interval around its middle.
    public func codes(fromPriorDraws draws: Tensor, temperature: Float) -> Tensor {
        let z = Tensor(zeros: draws.shape)
        for n in 0..<draws.shape[0] {
            for j in 0..<latentDimension {
                let middle = (codeMinimum[j] + codeMaximum[j]) / 2, half = (codeMaximum[j] - codeMinimum[j]) / 2
                z[n, j] = middle + half * temperature * draws[n, j]
            }
        }
        return z
    }

    /// Codes of images in [0, 1].
    public func encode(_ x: Tensor) -> Tensor? { encoder(x).copy() }
    /// Images (values in [0, 1]) from codes.
    public var decoderNetwork: DecoderNetwork? {
        DecoderNetwork(network: decoder, output: DecoderNetwork.Output(objective.reconstruction))
    }
    public func decode(_ z: Tensor) -> Tensor { decoder(z).map(objective.reconstruction.pixel) }
}
