import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The body of a job run by a `ThreadTeam`: its context, the part to do, and how many parts there are.
public typealias TeamFunction = @convention(c) (_ context: UnsafeMutableRawPointer, _ part: Int, _ parts: Int) -> Void

/// A fixed team of threads that do the parts of one job together: the calling thread does
/// part 0 and each worker one more part, and `run` returns when every part is done.
///
/// Why not Dispatch or OpenBLAS's own threads: training alternates matrix products with
/// element-wise passes dozens of times a step, and two thread pools on two cores fight (the
/// BLAS's idle threads spin while another pool works; measured in the issue). With one team
/// for everything, and the BLAS single-threaded inside each part, no core spins while the
/// other works. Between jobs a worker spins briefly (a step's jobs follow each other within
/// microseconds), then sleeps.
///
/// The parts of a job must write disjoint memory, and a job's result must not depend on which
/// thread ran which part: then the same part count gives the same numbers.
///
/// How many parts a job has is the calling thread's setting (`withParts`), or else the team's
/// default (`resize`): one thread's scope never changes the numbers of another thread's work.
/// Tests that check one thread against two run beside tests that compare two runs bit for bit;
/// with one process-wide count, a resize in one test changed the other's sums halfway through.
public final class ThreadTeam: @unchecked Sendable {
    /// The team every layer, loss and optimizer uses; `BLAS.setThreadCount` sizes it.
    public static let shared = ThreadTeam()

    /// How many parts a job started on this thread is split into: this thread's setting
    /// (`withParts`, or the job a worker is running), else the team's default.
    public var parts: Int {
        let scoped = Int(bitPattern: pthread_getspecific(ThreadTeam.scopedPartsKey))
        return scoped > 0 ? scoped : defaultParts.load(ordering: .relaxed)
    }

    /// The part count of threads with no setting of their own.
    private let defaultParts = Atomic<Int>(1)
    /// Worker threads running (only ever grows): a job of p parts needs p - 1 of them.
    private let workers = Atomic<Int>(0)
    /// Bumped once per job; a worker runs a job when it sees a generation it has not run.
    private let generation = Atomic<Int>(0)
    /// Workers still working on the current job.
    private let remaining = Atomic<Int>(0)
    /// The current job: its function, context and part count.
    private var job: (function: TeamFunction, context: UnsafeMutableRawPointer, parts: Int)?
    /// Whether a caller's job holds the team.
    private let busy = Atomic<Bool>(false)
    private var mutex = pthread_mutex_t()
    private var wake = pthread_cond_t()
    private var done = pthread_cond_t()
    /// Workers asleep on `wake` (read under `mutex`).
    private var sleepers = 0
    /// Spins before a waiting thread sleeps: about 150 µs. Longer than any gap between a step's
    /// jobs (the batch's conversion, a loss's sum), so a worker is awake when the next job comes:
    /// waking one from sleep took tens of microseconds, and with 2,000 spins (~2 µs) the AE's
    /// epoch was 4% slower.
    private static let spins = 200_000
    /// Each thread's own part count (0: none set), kept as a pointer's bit pattern: a pthread
    /// key, because a worker must carry its job's count into jobs started inside a part, and
    /// setting it allocates nothing (a task-local's scope allocates).
    private static let scopedPartsKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "pthread_key_create failed (\(status))")
        return key
    }()

    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&wake, nil)
        pthread_cond_init(&done, nil)
    }

    /// Sets the default part count, for threads with no setting of their own, to `size` (at
    /// least 1: the caller alone), starting workers as needed.
    public func resize(to size: Int) {
        let size = Swift.max(size, 1)
        startWorkers(size - 1)
        defaultParts.store(size, ordering: .relaxed)
    }

    /// Runs `body` with jobs started on this thread split into `parts` parts (at least 1),
    /// whatever the default and other threads' settings; the setting before comes back after.
    public func withParts<Result>(_ parts: Int, _ body: () throws -> Result) rethrows -> Result {
        let parts = Swift.max(parts, 1)
        startWorkers(parts - 1)
        let before = pthread_getspecific(ThreadTeam.scopedPartsKey)
        ThreadTeam.setScopedParts(parts)
        defer { pthread_setspecific(ThreadTeam.scopedPartsKey, before) }
        return try body()
    }

    private static func setScopedParts(_ parts: Int) {
        pthread_setspecific(scopedPartsKey, UnsafeRawPointer(bitPattern: parts))
    }

    /// Starts workers until there are `wanted`, once any running job is done.
    private func startWorkers(_ wanted: Int) {
        guard workers.load(ordering: .acquiring) < wanted else { return }
        while !busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged { sched_yield() }
        defer { busy.store(false, ordering: .releasing) }
        var started = workers.load(ordering: .relaxed)
        while started < wanted {
            started += 1
            // The worker starts from the jobs already run, whenever its thread gets going.
            let index = started, current = generation.load(ordering: .acquiring)
            let thread = Thread { [unowned self] in self.work(part: index, after: current) }
            thread.stackSize = 1 << 20
            thread.start()
        }
        workers.store(started, ordering: .releasing)
    }

    /// Runs `function(context, part, parts)` for every part in 0..<parts, the caller taking
    /// part 0; `parts` is the calling thread's `parts`. A C function and a context pointer,
    /// not a closure: handing a closure to other threads costs an allocation per job, and a
    /// training step runs dozens of jobs. While the team is busy with another caller's job
    /// (tests train models side by side) or inside a job, the caller runs every part itself,
    /// in order: the same parts, so the same numbers.
    public func run(_ function: TeamFunction, context: UnsafeMutableRawPointer) {
        let parts = self.parts
        guard parts > 1, workers.load(ordering: .acquiring) >= parts - 1,
            busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for part in 0..<parts { function(context, part, parts) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        job = (function, context, parts)
        remaining.store(parts - 1, ordering: .relaxed)
        generation.add(1, ordering: .releasing)
        pthread_mutex_lock(&mutex)
        if sleepers > 0 { pthread_cond_broadcast(&wake) }
        pthread_mutex_unlock(&mutex)
        function(context, 0, parts)
        var spin = 0
        while remaining.load(ordering: .acquiring) > 0 {
            spin += 1
            if spin < ThreadTeam.spins { continue }
            pthread_mutex_lock(&mutex)
            while remaining.load(ordering: .acquiring) > 0 { pthread_cond_wait(&done, &mutex) }
            pthread_mutex_unlock(&mutex)
        }
        job = nil
    }

    /// Runs `function` on a job value (its parameters, on the caller's stack) in every part;
    /// with `parallel` false, as one part on the calling thread (a job too small to share).
    public func run<Job>(_ job: inout Job, parallel: Bool = true, _ function: TeamFunction) {
        withUnsafeMutablePointer(to: &job) { pointer in
            if parallel {
                run(function, context: UnsafeMutableRawPointer(pointer))
            } else {
                function(UnsafeMutableRawPointer(pointer), 0, 1)
            }
        }
    }

    /// Runs `body(part, parts)` in every part. Convenient, but the closure costs an allocation
    /// per job: steps use the C-function form.
    public func run(_ body: (_ part: Int, _ parts: Int) -> Void) {
        withoutActuallyEscaping(body) { escapable in
            var body = escapable
            run(&body) { context, part, parts in
                context.assumingMemoryBound(to: ((Int, Int) -> Void).self).pointee(part, parts)
            }
        }
    }

    /// Part `part` of `parts` of 0..<count: contiguous, in order, sizes differing by at most one.
    @inline(__always)
    public static func range(_ part: Int, of parts: Int, in count: Int) -> Range<Int> {
        (count * part / parts)..<(count * (part + 1) / parts)
    }

    private func work(part: Int, after generationSeen: Int) {
        var seen = generationSeen, scopedParts = 0
        while true {
            var spin = 0
            while generation.load(ordering: .acquiring) == seen {
                spin += 1
                if spin < ThreadTeam.spins { continue }
                pthread_mutex_lock(&mutex)
                sleepers += 1
                while generation.load(ordering: .acquiring) == seen { pthread_cond_wait(&wake, &mutex) }
                sleepers -= 1
                pthread_mutex_unlock(&mutex)
            }
            seen = generation.load(ordering: .acquiring)
            // Workers beyond the job's part count sit it out.
            guard let job, part < job.parts else { continue }
            // Jobs started inside this part run inline with the job's part count, as they
            // would on the caller's thread.
            if job.parts != scopedParts { ThreadTeam.setScopedParts(job.parts); scopedParts = job.parts }
            job.function(job.context, part, job.parts)
            if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
                pthread_mutex_lock(&mutex)
                pthread_cond_signal(&done)
                pthread_mutex_unlock(&mutex)
            }
        }
    }
}
