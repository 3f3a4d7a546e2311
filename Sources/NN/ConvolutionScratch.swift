#if canImport(Glibc)
import Glibc
#endif

/// The room a convolution works in on its thread, shared by every convolution that runs there:
/// for im2col, the patch matrix (col) and the channel-major matrix beside it (Conv2D's product
/// W · col, then dPre; a transposed convolution's chunk of input, then its dx); for oneDNN, its
/// operands in the layouts its kernels chose, and its scratchpad.
///
/// Nothing in it is carried from one call to the next (the backward pass makes col again from
/// the input), and a model's layers run one after another on the thread that trains it: one
/// buffer per thread serves them all, both engines in the same floats. One pair per layer held
/// the DCGAN's four (up to 4 MB of col and 6.4 MB of product each) side by side; the im2col pair
/// and oneDNN's arena apart held both engines' largest at once. Per thread, not per process:
/// tests train models side by side on other threads.
final class ConvolutionScratch {
    private var storage: Tensor?

    /// This thread's room for oneDNN's reordered operands and scratchpad: at least `floats`.
    static func arena(floats: Int) -> UnsafeMutablePointer<Float> {
        thisThread.room(floats)
    }

    /// This thread's col, with room for `patchCount` floats, and channel-major matrix after it,
    /// with room for `channelMajorCount`.
    static func forThisThread(patchCount: Int, channelMajorCount: Int)
        -> (patches: UnsafeMutablePointer<Float>, channelMajor: UnsafeMutablePointer<Float>)
    {
        let start = (patchCount + 15) / 16 * 16  // on a cache line, as a separate buffer would be
        let room = thisThread.room(start + channelMajorCount)
        return (room, room + start)
    }

    /// At least `floats`, grown on first use and kept (`Tensor.reuse`: contents are not kept
    /// when it grows), so that steps after the first allocate nothing.
    private func room(_ floats: Int) -> UnsafeMutablePointer<Float> {
        let needed = Swift.max(floats, storage?.capacity ?? 0)
        return Tensor.reuse(&storage, shape: Shape(needed)).data
    }

    /// The calling thread's scratch, made on its first call.
    private static var thisThread: ConvolutionScratch {
        if let stored = pthread_getspecific(key) {
            return Unmanaged<ConvolutionScratch>.fromOpaque(stored).takeUnretainedValue()
        }
        let scratch = ConvolutionScratch()
        pthread_setspecific(key, Unmanaged.passRetained(scratch).toOpaque())
        return scratch
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
