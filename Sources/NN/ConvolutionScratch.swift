#if canImport(Glibc)
import Glibc
#endif

/// The two matrices a convolution's chunk loop works in, shared by every convolution that runs
/// on the same thread: the patch matrix (col) and the channel-major matrix beside it (Conv2D's
/// product W · col, then dPre; a transposed convolution's chunk of input, then its dx).
///
/// Neither carries anything from one call to the next (the backward pass makes col again from
/// the input), and a model's layers run one after another on the thread that trains it: one
/// pair per thread serves them all. One pair per layer held the DCGAN's four (up to 4 MB of col
/// and 6.4 MB of product each) side by side. Per thread, not per process: tests train models
/// side by side on other threads.
final class ConvolutionScratch {
    /// col: (C·k·k, chunk·P).
    private(set) var patches: UnsafeMutablePointer<Float>
    /// The channel-major matrix: (O, chunk·P) or (C, chunk·H·W).
    private(set) var channelMajor: UnsafeMutablePointer<Float>
    private var patchCapacity = 0, channelMajorCapacity = 0

    private init() {
        patches = .allocate(capacity: 1)
        channelMajor = .allocate(capacity: 1)
    }

    deinit {
        patches.deallocate()
        channelMajor.deallocate()
    }

    /// This thread's scratch with room for `patchCount` and `channelMajorCount` floats. It grows
    /// on first use and keeps its size (contents are not kept when it grows), so that steps after
    /// the first allocate nothing.
    static func forThisThread(patchCount: Int, channelMajorCount: Int) -> ConvolutionScratch {
        let scratch: ConvolutionScratch
        if let stored = pthread_getspecific(key) {
            scratch = Unmanaged<ConvolutionScratch>.fromOpaque(stored).takeUnretainedValue()
        } else {
            scratch = ConvolutionScratch()
            pthread_setspecific(key, Unmanaged.passRetained(scratch).toOpaque())
        }
        scratch.reserve(patchCount: patchCount, channelMajorCount: channelMajorCount)
        return scratch
    }

    private func reserve(patchCount: Int, channelMajorCount: Int) {
        if patchCapacity < patchCount {
            patches.deallocate()
            patches = .allocate(capacity: patchCount)
            patchCapacity = patchCount
        }
        if channelMajorCapacity < channelMajorCount {
            channelMajor.deallocate()
            channelMajor = .allocate(capacity: channelMajorCount)
            channelMajorCapacity = channelMajorCount
        }
    }

    /// The thread's scratch, released when the thread ends.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { stored in
            if let stored { Unmanaged<ConvolutionScratch>.fromOpaque(stored).release() }
        }
        precondition(status == 0, "pthread_key_create failed (\(status))")
        return key
    }()
}
