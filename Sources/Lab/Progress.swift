import Foundation
import Models

/// Training progress: a self-overwriting line on a terminal; on a pipe, or with --quiet, only
/// one line per epoch.
final class Progress {
    let live: Bool
    private var lastDraw = 0.0
    private var drewLive = false

    init(quiet: Bool) { live = !quiet && isatty(STDERR_FILENO) == 1 }

    /// The live line after a batch.
    func report(_ step: StepRecord) {
        guard live else { return }
        let now = Date().timeIntervalSinceReferenceDate
        guard now - lastDraw > 0.1 || step.batch == step.batches else { return }
        lastDraw = now
        let line = String(
            format: "\repoch %d/%d  batch %d/%d  loss %.4g  %.0f img/s  %@ left   ",
            step.epoch, step.epochs, step.batch, step.batches, step.runningLoss, step.imagesPerSecond,
            formatDuration(step.secondsLeft))
        FileHandle.standardError.write(Data(line.utf8))
        drewLive = true
    }

    /// One line per epoch.
    func report(_ epoch: EpochRecord) {
        finishLine()
        // The full record goes to metrics.jsonl; the terminal gets the figures, compactly.
        let figures = epoch.metrics.filter { ![.epoch, .seconds, .imagesPerSecond].contains($0.0) }
            .map { "\($0.0) \(String(format: "%.4g", $0.1))" }.joined(separator: "  ")
        print(String(format: "epoch %d/%d  %.1f s  ", epoch.epoch, epoch.epochs, epoch[.seconds] ?? 0) + figures)
    }

    /// Ends a live line so the next output starts on a fresh line.
    func finishLine() {
        if drewLive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); drewLive = false }
    }
}

func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
}

/// Ctrl-C asks the run to stop: the trainer at the next batch (it says where the checkpoint
/// is), every later phase (figures, judging) before its next file. A second Ctrl-C exits at
/// once. An ignored SIGINT (a background job's, inherited from its shell) stays ignored.
public enum InterruptFlag {
    nonisolated(unsafe) static var flag: sig_atomic_t = 0

    static func install() {
        var current = sigaction()
        if sigaction(SIGINT, nil, &current) == 0,
            unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
        {
            return
        }
        signal(SIGINT) { _ in
            if InterruptFlag.flag != 0 { _exit(130) }
            InterruptFlag.flag = 1
        }
        // A process started from a thread that blocks signals (libdispatch's worker threads do)
        // inherits the block, and Ctrl-C would never arrive: unblock it.
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &interrupt, nil)
    }

    /// Whether Ctrl-C was pressed since the handler went in.
    public static func isSet() -> Bool { flag != 0 }

    /// Stops the run, saying what it was doing, when Ctrl-C was pressed.
    static func stopIfSet(while phase: @autoclosure () -> String) throws {
        if isSet() { throw RunProblem.interrupted(phase: phase()) }
    }
}
