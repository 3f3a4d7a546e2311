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
    private var patches: Tensor?, channelMajor: Tensor?
    /// oneDNN's operands in the layouts its kernels chose, and its scratchpad.
    private var arena: Tensor?

    /// This thread's room for oneDNN's reordered operands and scratchpad: at least `floats`,
    /// grown on first use and kept, as the two matrices are.
    static func arena(floats: Int) -> UnsafeMutablePointer<Float> {
        Tensor.reuse(&thisThread.arena, shape: Shape(floats)).data
    }

    /// This thread's col, with room for `patchCount` floats, and channel-major matrix, with room
    /// for `channelMajorCount`. They grow on first use and keep their size (`Tensor.reuse`;
    /// contents are not kept when they grow), so that steps after the first allocate nothing.
    static func forThisThread(patchCount: Int, channelMajorCount: Int)
        -> (patches: UnsafeMutablePointer<Float>, channelMajor: UnsafeMutablePointer<Float>)
    {
        let scratch = thisThread
        return (
            Tensor.reuse(&scratch.patches, shape: Shape(patchCount)).data,
            Tensor.reuse(&scratch.channelMajor, shape: Shape(channelMajorCount)).data
        )
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
