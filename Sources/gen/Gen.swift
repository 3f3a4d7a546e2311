import ArgumentParser

/// The command-line front end: parses and checks flags, then calls the library; no math here.
@main
struct Gen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen",
        abstract: "A generative-model playground: train autoencoders, VAEs and GANs and draw what they learn.",
        discussion: """
        Each model trains on Fashion-MNIST by default (or reuses its cached checkpoint) and writes \
        PNG figures and metrics.jsonl to --out/<model>/. Example: gen vae --samples --interpolate
        """,
        version: "0.2.0",
        subcommands: [AutoencoderCommand.self, VAECommand.self, GANCommand.self, CompareCommand.self]
    )
}
