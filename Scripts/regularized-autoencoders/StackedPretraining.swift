import Foundation
import Lab

// Stacked autoencoders: greedy layer-wise pretraining against a random start, in two settings.
func stackedPretraining(_ notebook: Notebook, test: Dataset, seed: UInt64) throws {
    // The stack: 784-256-128-64-30 and its mirror; 2 epochs per layer of pretraining, 4 layers.
    let stack = [784, 256, 128, 64, 30]
    let (perLayer, deepEpochs) = (notebook.quick ? 1 : 2, notebook.quick ? 5 : 20)
    notebook.section(
        "Stacked autoencoders: greedy layer-wise pretraining",
        """
        A stacked autoencoder is built from “separate autoencoders”, then one must “attach layers after train \
        autoencoders” (lecture 004): each layer first learns, as the hidden layer of a small autoencoder of its own, \
        to rebuild the codes of the layers below it; then the stack is trained end to end. Lecture 003 credits \
        pretraining to Hinton & Salakhutdinov (2006), “this basically started all the deep learning craze”; they \
        pretrained with RBMs, and Bengio et al. (2007) with autoencoders, as here. The deep autoencoder \
        \(stack.map(String.init).joined(separator: "-")) and its mirror train \(counted(deepEpochs, "epoch")) in \
        all, from random weights or after \(counted(perLayer, "epoch")) of pretraining per layer \
        (\((stack.count - 1) * perLayer) of the \(deepEpochs)), in two settings: today's (ReLU units, Adam) and \
        that of 2006-2007 (sigmoid units, plain gradient descent with a step of 0.1).
        """)
    // One deep autoencoder: `hidden` units between layers, a linear code, logits out (cross-entropy).
    func stacked(sigmoid: Bool, pretrained: Bool) -> Autoencoder {
        var g = SeededGenerator(seed: seed)
        let units: Activation = sigmoid ? .sigmoid : .relu
        let encoder = multilayerPerceptron(stack, hidden: units, inputIsData: true, generator: &g)
        let decoder = multilayerPerceptron(stack.reversed(), hidden: units, inputIsData: false, generator: &g)
        let name = "stacked-\(sigmoid ? "sigmoid" : "relu")-\(pretrained ? "pretrained" : "random")"
        return Autoencoder(
            encoder: encoder, decoder: decoder, latentDimension: stack.last!,
            pretrainingEpochsPerLayer: pretrained ? perLayer : 0, name: name,
            displayName: "\(sigmoid ? "sigmoid, SGD" : "ReLU, Adam"), \(pretrained ? "pretrained" : "random start")")
    }
    let stackedRuns = try [false, true].flatMap { sigmoid in
        try [false, true].map { pretrained in
            let model = stacked(sigmoid: sigmoid, pretrained: pretrained)
            let optimizer: any Optimizer = sigmoid ? SGD(learningRate: 0.1) : Adam()
            let result = try notebook.train(model, optimizer: optimizer, epochs: deepEpochs)
            let errors = try notebook.measured("stacked errors|\(model.name)") {
                AutoencoderMeasures.perImageMSE(model, test: test)
            }
            return (model: model as any GenerativeModel, result: result, errors: errors)
        }
    }
    try notebook.plot(
        stackedRuns.map { ($0.model.displayName, $0.result.series(.testLoss)) }, x: "epoch",
        y: "test BCE (nats per image)", "stacked-curves.png", title: "The deep autoencoder's test loss, epoch by epoch",
        caption: """
            The pretrained runs spend their first \((stack.count - 1) * perLayer) epochs on one layer at a time (the \
            whole stack's loss is drawn, rebuilt through layers not yet trained), then train end to end.
            """)
    notebook.table(
        ["units, optimizer", "start", "test BCE (nats per image)", "squared error per pixel"],
        try stackedRuns.map { run in
            let parts = run.model.displayName.components(separatedBy: ", ")
            return [
                parts.dropLast().joined(separator: ", "), parts.last ?? "", fixed(try run.result.final(.testLoss), 1),
                Spread.meanOf(run.errors, seed: seed).text(4),
            ]
        },
        caption:
            "On the 10,000 test images, after \(counted(deepEpochs, "epoch")) in all; ± a bootstrap standard error.")
    // Pretrained over random start, per setting, resampled over the same test images.
    let (reluGain, sigmoidGain) = (
        Spread.ratioOfMeans(stackedRuns[1].errors, stackedRuns[0].errors, seed: seed),
        Spread.ratioOfMeans(stackedRuns[3].errors, stackedRuns[2].errors, seed: seed)
    )
    notebook.verdict(
        claim: """
            Pretraining a deep autoencoder layer by layer, as a stack of autoencoders (lectures 003 and 004), trains it \
            better than random weights do
            """,
        outcome: sigmoidGain.isClearlyBelow(1) && reluGain.isClearlyBelow(1)
            ? .reproduced
            : (sigmoidGain.isClearlyBelow(1) || reluGain.isClearlyBelow(1) ? .partly : .notReproduced),
        evidence: """
            With sigmoid units and plain gradient descent, pretraining leaves \(sigmoidGain.text(2))× the squared error \
            of a random start; with ReLU units and Adam, \(reluGain.text(2))× (± bootstrap standard errors over test \
            images, the same \(counted(deepEpochs, "epoch")) in all). \(sigmoidGain.isClearlyBelow(1) && !reluGain.isClearlyBelow(1) ? "It helps in the setting of 2006-2007, not with today's units and optimizer." : "")
            """)
}
