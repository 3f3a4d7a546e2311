import ArgumentParser
import Foundation
import Lab

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
        subcommands: [
            AutoencoderCommand.self, VAECommand.self, GANCommand.self, DiffusionCommand.self, PCACommand.self,
            ClassifyCommand.self,
            JudgeCommand.self, EvalCommand.self, CompareCommand.self, ExploreCommand.self, BenchCommand.self,
        ]
    )

    /// The commands, for the message that names them when a user types another.
    static var commandNames: [String] { configuration.subcommands.map { $0._commandName } }

    /// Runs the command. An unknown command is answered with the list of commands, and Ctrl-C
    /// exits with 130, as a shell expects of a program stopped by SIGINT.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let first = arguments.first, !first.hasPrefix("-"), first != "help", !commandNames.contains(first) {
            printError(
                "Error: '\(first)' is not a gen command; the commands are \(commandNames.joined(separator: ", ")) (gen --help says more)"
            )
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        do {
            var command = try parseAsRoot(arguments)
            // The process's thread count, for everything the command computes (training scopes
            // its own count too: see ModelRun.train).
            if let command = command as? any ModelCommand { BLAS.setThreadCount(command.options.threads) }
            try command.run()
            // A Ctrl-C after the last check (the last figure written) still ends as one.
            if InterruptFlag.isSet() {
                printError("Error: interrupted at the end; every file was written whole")
                Foundation.exit(130)
            }
        } catch let error as TrainingError {
            printError("Error: \(error.advice)")
            if case .interrupted = error { Foundation.exit(130) }
            Foundation.exit(ExitCode.failure.rawValue)
        } catch let problem as RunProblem {
            printError("Error: \(problem.advice)")
            if case .interrupted = problem { Foundation.exit(130) }
            Foundation.exit(ExitCode.failure.rawValue)
        } catch {
            // A run's own error (a file, the data): one line, whatever a file name in it holds.
            // Flag errors keep ArgumentParser's usage lines.
            guard exitCode(for: error) == .failure else { exit(withError: error) }
            printError("Error: \(error)")
            Foundation.exit(ExitCode.failure.rawValue)
        }
    }
}
