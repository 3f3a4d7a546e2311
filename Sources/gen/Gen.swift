import ArgumentParser
import NN

/// The command-line front end: parses flags and calls the library; no math lives here.
@main
struct Gen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen",
        abstract: "A generative-model playground: train autoencoders, VAEs and GANs and draw what they learn.",
        discussion: """
        The models (gen ae, gen vae, gen gan) arrive with the next milestone; this build provides \
        the shared layers, the tensor core and the checkpoint format they are built from.
        """,
        version: "0.1.0"
    )

    @Option(name: .long, help: "Threads for the BLAS (matrix products).")
    var threads: Int = 2

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        print(Gen.helpMessage())
    }
}
