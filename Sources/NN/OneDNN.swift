import CDNNL
#if canImport(Glibc)
import Glibc
#endif

// oneDNN's C API wrapped for the layers that run on it: its engine, and a primitive with the
// reorders between the caller's plain layouts (NCHW, OIHW) and the blocked ones its fastest
// kernels chose. Everything is made once per shape; a step only points memory at its data.

/// oneDNN's CPU engine and the checks around its calls.
enum OneDNN {
    /// The engine every primitive runs on (the CPU), made on first use.
    nonisolated(unsafe) static let engine: dnnl_engine_t = {
        var engine: dnnl_engine_t?
        check(dnnl_engine_create(&engine, dnnl_cpu, 0), "creating its CPU engine")
        return engine!
    }()

    /// Stops with oneDNN's status: every call here has arguments this code made, so a failure
    /// is a bug (or a broken install), not bad input.
    static func check(_ status: dnnl_status_t, _ doing: @autoclosure () -> String) {
        precondition(
            status == dnnl_success,
            "oneDNN failed \(doing()): \(String(cString: dnnl_status2str(status))) (status \(status.rawValue))")
    }

    /// Makes the calling thread's OpenMP setting one thread, before a primitive is described
    /// and before it runs: oneDNN's kernels fix their thread count when the descriptor is
    /// made (jit:avx2 reads the thread's maximum into its configuration then), and run that
    /// many whatever the setting at run time. gen's team supplies the threads
    /// (OneDNNConvolution says why).
    static func useOneThread() {
        omp_set_num_threads(1)
    }

    /// A descriptor of `dims` (outermost first) in the layout `tag`.
    static func descriptor(_ dims: [Int], _ tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        let sizes = dims.map { Int64($0) }
        check(dnnl_memory_desc_init_by_tag(&md, Int32(dims.count), sizes, dnnl_f32, tag), "describing \(dims)")
        return md
    }

    /// Attributes asking for a scratchpad the caller passes (from this thread's arena) rather
    /// than one oneDNN allocates.
    nonisolated(unsafe) static let userScratchpad: dnnl_primitive_attr_t = {
        var attr: dnnl_primitive_attr_t?
        check(dnnl_primitive_attr_create(&attr), "creating attributes")
        check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "asking for a user scratchpad")
        return attr!
    }()

    /// Sets, for the calling thread only, a function called with 1 just before and 0 just after
    /// each run of a primitive on that thread (the allocation tests set it; nothing else does).
    /// oneDNN's C API builds a map of a primitive's arguments on the heap at every
    /// `dnnl_primitive_execute` (5 small mallocs in 2.6, seen with a counting malloc): the one
    /// allocation inside a step that is not gen's, which those tests leave out of their count.
    public static func setAroundExecutionOnThisThread(_ hook: (@convention(c) (Int32) -> Void)?) {
        pthread_setspecific(aroundExecutionKey, hook.map { unsafeBitCast($0, to: UnsafeRawPointer.self) })
    }

    fileprivate static func aroundExecution(_ on: Int32) {
        guard let stored = pthread_getspecific(aroundExecutionKey) else { return }
        unsafeBitCast(stored, to: (@convention(c) (Int32) -> Void).self)(on)
    }

    private static let aroundExecutionKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "pthread_key_create failed (\(status))")
        return key
    }()

    /// The implementation oneDNN chose for a primitive, e.g. "jit:avx2" or "x64:gemm:jit".
    static func implementation(_ descriptor: dnnl_primitive_desc_t) -> String {
        var name: UnsafePointer<CChar>?
        check(dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &name), "naming an implementation")
        return name.map { String(cString: $0) } ?? "?"
    }
}

/// One oneDNN primitive and its arguments. Each argument has a memory over the caller's data
/// in its plain layout; where the primitive chose another layout, a second memory over this
/// thread's arena and a reorder between the two (before the primitive for an input, after it
/// for an output). The arena also holds the primitive's scratchpad.
final class OneDNNOperation {
    /// An argument: its role (DNNL_ARG_…), how to ask the primitive for the layout it chose
    /// (a query and an index: a bias is the weights' second), and the plain layout the
    /// caller's data is in.
    struct Argument {
        let role: Int32
        let query: dnnl_query_t
        var index: Int32 = 0
        let plain: dnnl_memory_desc_t
        let isOutput: Bool
    }

    private struct Bound {
        let plain: dnnl_memory_t
        let chosen: dnnl_memory_t?
        let reorder: dnnl_primitive_t?
        let reorderArguments: UnsafeMutablePointer<dnnl_exec_arg_t>?
        /// Bytes of the chosen layout in the arena, rounded up to 64.
        let bytes: Int
        let isOutput: Bool
    }

    private let primitive: dnnl_primitive_t
    private let stream: dnnl_stream_t
    private let bound: [Bound]
    private let scratchpad: dnnl_memory_t
    private let scratchpadBytes: Int
    /// The primitive's execution arguments: one per argument, then the scratchpad.
    private let arguments: UnsafeMutablePointer<dnnl_exec_arg_t>
    /// The implementation oneDNN chose.
    let implementation: String

    init(_ descriptor: dnnl_primitive_desc_t, arguments specs: [Argument], stream: dnnl_stream_t) {
        OneDNN.useOneThread()  // the reorders' descriptors fix their thread count too
        self.stream = stream
        implementation = OneDNN.implementation(descriptor)
        var primitive: dnnl_primitive_t?
        OneDNN.check(dnnl_primitive_create(&primitive, descriptor), "creating a \(implementation) primitive")
        self.primitive = primitive!
        let engine = OneDNN.engine
        bound = specs.map { spec in
            var plainDesc = spec.plain
            var plain: dnnl_memory_t?
            OneDNN.check(dnnl_memory_create(&plain, &plainDesc, engine, nil), "creating a memory")
            guard let chosenDesc = dnnl_primitive_desc_query_md(descriptor, spec.query, spec.index),
                dnnl_memory_desc_equal(chosenDesc, &plainDesc) == 0
            else {
                return Bound(
                    plain: plain!, chosen: nil, reorder: nil, reorderArguments: nil, bytes: 0,
                    isOutput: spec.isOutput)
            }
            var chosen: dnnl_memory_t?
            OneDNN.check(dnnl_memory_create(&chosen, chosenDesc, engine, nil), "creating a memory")
            var reorderDesc: dnnl_primitive_desc_t?
            withUnsafePointer(to: plainDesc) { plainPointer in
                let (from, to) = spec.isOutput ? (chosenDesc, plainPointer) : (plainPointer, chosenDesc)
                OneDNN.check(
                    dnnl_reorder_primitive_desc_create(&reorderDesc, from, engine, to, engine, nil),
                    "creating a reorder")
            }
            var reorder: dnnl_primitive_t?
            OneDNN.check(dnnl_primitive_create(&reorder, reorderDesc), "creating a reorder")
            dnnl_primitive_desc_destroy(reorderDesc)
            let reorderArguments = UnsafeMutablePointer<dnnl_exec_arg_t>.allocate(capacity: 2)
            reorderArguments[0] = dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: spec.isOutput ? chosen : plain)
            reorderArguments[1] = dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: spec.isOutput ? plain : chosen)
            return Bound(
                plain: plain!, chosen: chosen!, reorder: reorder!, reorderArguments: reorderArguments,
                bytes: (dnnl_memory_desc_get_size(chosenDesc) + 63) / 64 * 64, isOutput: spec.isOutput)
        }
        let scratchpadDesc = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0)!
        scratchpadBytes = (dnnl_memory_desc_get_size(scratchpadDesc) + 63) / 64 * 64
        var scratchpad: dnnl_memory_t?
        OneDNN.check(dnnl_memory_create(&scratchpad, scratchpadDesc, engine, nil), "creating a scratchpad")
        self.scratchpad = scratchpad!
        arguments = .allocate(capacity: specs.count + 1)
        for (i, (spec, b)) in zip(specs, bound).enumerated() {
            arguments[i] = dnnl_exec_arg_t(arg: spec.role, memory: b.chosen ?? b.plain)
        }
        arguments[specs.count] = dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: scratchpad)
    }

    deinit {
        for b in bound {
            dnnl_memory_destroy(b.plain)
            if let chosen = b.chosen { dnnl_memory_destroy(chosen) }
            if let reorder = b.reorder { dnnl_primitive_destroy(reorder) }
            b.reorderArguments?.deallocate()
        }
        dnnl_memory_destroy(scratchpad)
        dnnl_primitive_destroy(primitive)
        arguments.deallocate()
    }

    /// Runs the primitive on the caller's data, one pointer per argument in the order they
    /// were given (nil for none past the last), on the calling thread alone (OneDNNConvolution
    /// says why).
    func run(
        _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ c: UnsafeRawPointer? = nil, _ d: UnsafeRawPointer? = nil
    ) {
        OneDNN.useOneThread()
        let arenaBytes = bound.reduce(scratchpadBytes) { $0 + $1.bytes }
        // Tensors start on 64-byte boundaries and each part is rounded up to 64 bytes: every
        // operand starts on a cache line, as oneDNN's kernels prefer.
        let arena = UnsafeMutableRawPointer(ConvolutionScratch.arena(floats: arenaBytes / 4))
        var offset = 0
        for i in bound.indices {
            let pointer = i == 0 ? a : i == 1 ? b : i == 2 ? c : d
            let argument = bound[i]
            OneDNN.check(
                dnnl_memory_set_data_handle(argument.plain, UnsafeMutableRawPointer(mutating: pointer)),
                "pointing at the caller's data")
            guard let chosen = argument.chosen else { continue }
            OneDNN.check(dnnl_memory_set_data_handle(chosen, arena + offset), "pointing at the arena")
            offset += argument.bytes
            if !argument.isOutput { execute(argument.reorder!, argument.reorderArguments!, 2) }
        }
        OneDNN.check(dnnl_memory_set_data_handle(scratchpad, arena + offset), "pointing at the scratchpad")
        execute(primitive, arguments, bound.count + 1)
        for argument in bound where argument.isOutput && argument.reorder != nil {
            execute(argument.reorder!, argument.reorderArguments!, 2)
        }
    }

    private func execute(_ primitive: dnnl_primitive_t, _ arguments: UnsafePointer<dnnl_exec_arg_t>, _ count: Int) {
        OneDNN.aroundExecution(1)
        let status = dnnl_primitive_execute(primitive, stream, Int32(count), arguments)
        OneDNN.aroundExecution(0)
        OneDNN.check(status, "running a primitive")
    }
}
