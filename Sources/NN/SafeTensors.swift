import Foundation

// Checkpoints in the safetensors format (https://github.com/huggingface/safetensors):
//   8 bytes   N, the header length, unsigned little-endian
//   N bytes   a JSON object: {"__metadata__": {string: string}, "<name>": {"dtype": "F32",
//             "shape": [...], "data_offsets": [begin, end]}, ...}, padded with spaces
//   the rest  the tensors' raw little-endian bytes; offsets are relative to this part's start
// Tensors use PyTorch's layouts (a dense weight is [out, in]), so a file loads there unchanged.

#if !_endian(little)
#error("safetensors is little-endian; this reader copies floats as they lie in memory")
#endif

/// Reading and writing checkpoints in the safetensors format.
public enum SafeTensors {
    /// The spec's limit on the header, which also keeps a corrupt length from allocating gigabytes.
    public static let maximumHeaderLength = 100_000_000

    /// Writes `tensors` (in order) and `metadata` to `path`, atomically.
    public static func write(_ tensors: [NamedTensor], metadata: [String: String] = [:], to path: String) throws {
        try writeAtomically(encode(tensors, metadata: metadata), to: path)
    }

    /// The file's bytes for `tensors` and `metadata`. Keys are written in a fixed order, so the
    /// same model gives the same bytes.
    public static func encode(_ tensors: [NamedTensor], metadata: [String: String] = [:]) -> Data {
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonQuoted($0)):\(jsonQuoted(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for t in tensors {
            let bytes = t.value.count * 4
            let shape = t.value.shape.dimensions.map(String.init).joined(separator: ",")
            entries.append(
                "\(jsonQuoted(t.name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}"
            )
            offset += bytes
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        // Pad with spaces to a multiple of 8 so the data starts aligned (the spec allows it).
        while header.count % 8 != 0 { header.append(0x20) }
        var data = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for t in tensors {
            // The format is little-endian, as is every machine Swift runs on here: the floats'
            // bytes are copied as they lie in memory (a 40 MB checkpoint in milliseconds).
            data.append(UnsafeBufferPointer(start: t.value.data, count: t.value.count))
        }
        return data
    }

    /// A checkpoint's tensors, in file order, and its metadata.
    public struct Contents {
        public var tensors: [NamedTensor]
        public var metadata: [String: String]

        /// The tensor called `name`, if present.
        public subscript(name: String) -> Tensor? { tensors.first { $0.name == name }?.value }
    }

    /// Reads and checks a checkpoint: header bounds, dtype, shapes against offsets, and that the
    /// offsets tile the data exactly. Every failure names the file and, where there is one, the tensor.
    /// The header is read and checked first (8 bytes, then at most the format's limit, never more
    /// than the file holds), and the data only then, once: a file whose header is not one costs
    /// nothing to refuse, whatever its size.
    public static func read(from path: String) throws -> Contents {
        try checkReadableFile(path, as: "a checkpoint")
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FileError(path: path, "cannot read the checkpoint (missing or unreadable)")
        }
        defer { try? handle.close() }
        let size = Int((try? handle.seekToEnd()) ?? 0)
        try? handle.seek(toOffset: 0)
        let prefix = (try? handle.read(upToCount: 8)) ?? Data()
        let headerLength = try Self.headerLength(prefix, fileSize: size, path: path)
        let headerBytes = (try? handle.read(upToCount: headerLength)) ?? Data()
        guard headerBytes.count == headerLength else { throw FileError(path: path, "truncated inside the header") }
        let header = try Self.header(headerBytes, dataLength: size - 8 - headerLength, path: path)
        let data = (try? handle.readToEnd()) ?? Data()
        guard data.count == size - 8 - headerLength else { throw FileError(path: path, "changed while being read") }
        return Contents(tensors: Self.tensors(header.spans, from: data), metadata: header.metadata)
    }

    /// Decodes a checkpoint's bytes; `path` names it in errors.
    public static func decode(_ data: Data, path: String) throws -> Contents {
        let headerLength = try headerLength(data.prefix(8), fileSize: data.count, path: path)
        let start = data.startIndex + 8
        let header = try header(
            data[start..<(start + headerLength)], dataLength: data.count - 8 - headerLength, path: path)
        return Contents(
            tensors: tensors(header.spans, from: data[(start + headerLength)...]), metadata: header.metadata)
    }

    /// Where a tensor's bytes lie in the data part, and its shape.
    typealias Span = (name: String, begin: Int, end: Int, shape: [Int])

    /// The header's length from the file's first 8 bytes, checked against the format's limit and
    /// the file's size.
    static func headerLength(_ prefix: Data, fileSize: Int, path: String) throws -> Int {
        guard prefix.count == 8, fileSize >= 8 else {
            throw FileError(
                path: path, "truncated: \(fileSize) bytes, a safetensors file starts with an 8-byte header length")
        }
        var length: UInt64 = 0
        for (i, byte) in prefix.enumerated() { length |= UInt64(byte) << (8 * UInt64(i)) }
        guard length <= UInt64(maximumHeaderLength) else {
            throw FileError(
                path: path,
                "header length \(length) exceeds the format's limit of \(maximumHeaderLength) bytes (not a safetensors file?)"
            )
        }
        guard 8 + Int(length) <= fileSize else {
            throw FileError(
                path: path,
                "truncated: the header needs \(length) bytes but the file has \(fileSize - 8) after the length")
        }
        return Int(length)
    }

    /// The header's metadata and tensor spans, every entry checked against `dataLength`, the
    /// bytes after the header.
    static func header(_ bytes: Data, dataLength: Int, path: String) throws -> (
        metadata: [String: String], spans: [Span]
    ) {
        guard let object = try? JSONSerialization.jsonObject(with: bytes),
            let header = object as? [String: Any]
        else {
            throw FileError(path: path, "the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        if let meta = header["__metadata__"] {
            guard let m = meta as? [String: String] else {
                throw FileError(path: path, "__metadata__ must map strings to strings")
            }
            metadata = m
        }
        var spans: [Span] = []
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any] else {
                throw FileError(path: path, "tensor '\(name)': entry is not an object")
            }
            guard let dtype = entry["dtype"] as? String else {
                throw FileError(path: path, "tensor '\(name)': no dtype")
            }
            guard dtype == "F32" else { throw FileError(path: path, "tensor '\(name)': dtype \(dtype), expected F32") }
            guard let shape = (entry["shape"] as? [Any])?.compactMap({ $0 as? Int }),
                shape.count == (entry["shape"] as? [Any])?.count, shape.allSatisfy({ $0 >= 0 })
            else {
                throw FileError(path: path, "tensor '\(name)': shape must be a list of non-negative integers")
            }
            guard shape.count <= Shape.maximumRank else {
                throw FileError(
                    path: path, "tensor '\(name)': \(shape.count) dimensions, at most \(Shape.maximumRank) supported")
            }
            guard let offsets = (entry["data_offsets"] as? [Any])?.compactMap({ $0 as? Int }), offsets.count == 2 else {
                throw FileError(path: path, "tensor '\(name)': data_offsets must be two integers")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= dataLength else {
                throw FileError(
                    path: path,
                    "tensor '\(name)': data_offsets [\(begin), \(end)] lie outside the \(dataLength) data bytes (truncated file?)"
                )
            }
            // The byte count, refusing sizes that overflow rather than wrapping to a small number.
            var expected: Int? = 4
            for d in shape {
                expected = expected.flatMap { e in
                    let (p, o) = e.multipliedReportingOverflow(by: d); return o ? nil : p
                }
            }
            guard let expected else {
                throw FileError(path: path, "tensor '\(name)': shape \(shape) is too large to hold")
            }
            guard end - begin == expected else {
                throw FileError(
                    path: path,
                    "tensor '\(name)': shape \(shape) needs \(expected) bytes, data_offsets span \(end - begin)")
            }
            spans.append((name, begin, end, shape))
        }
        // The spec requires the tensors to tile the data: no gaps, no overlaps.
        spans.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var position = 0
        for s in spans {
            guard s.begin == position else {
                throw FileError(
                    path: path, "tensor '\(s.name)': data starts at \(s.begin), expected \(position) (overlap or gap)")
            }
            position = s.end
        }
        guard position == dataLength else {
            throw FileError(path: path, "\(dataLength - position) data bytes belong to no tensor")
        }
        return (metadata, spans)
    }

    /// The tensors `spans` lay out in `data`, the bytes after the header.
    static func tensors(_ spans: [Span], from data: Data) -> [NamedTensor] {
        data.withUnsafeBytes { raw in
            spans.map { s -> NamedTensor in
                let t = Tensor(zeros: Shape(s.shape))
                // An empty tensor has no bytes to copy (and empty data no address).
                if s.end > s.begin, let base = raw.baseAddress {
                    UnsafeMutableRawPointer(t.data).copyMemory(from: base + s.begin, byteCount: s.end - s.begin)
                }
                return NamedTensor(name: s.name, value: t)
            }
        }
    }

    /// Reads `path` into `destination`'s tensors: every name must be present with the same shape,
    /// and the file may hold no others. Returns the file's metadata.
    @discardableResult
    public static func load(into destination: [NamedTensor], from path: String) throws -> [String: String] {
        try load(into: destination, from: read(from: path), path: path)
    }

    /// Copies already-read `contents` into `destination`'s tensors under the same checks;
    /// `path` names the file in errors. Nothing is copied unless everything matches.
    @discardableResult
    public static func load(into destination: [NamedTensor], from contents: Contents, path: String) throws -> [String:
        String]
    {
        var byName: [String: Tensor] = [:]
        for t in contents.tensors { byName[t.name] = t.value }
        for t in destination {
            guard let source = byName.removeValue(forKey: t.name) else {
                throw FileError(
                    path: path, "tensor '\(t.name)' is missing (checkpoint from another model or configuration?)")
            }
            guard source.shape == t.value.shape else {
                throw FileError(
                    path: path, "tensor '\(t.name)' has shape \(source.shape), the model expects \(t.value.shape)")
            }
        }
        if let extra = byName.keys.sorted().first {
            throw FileError(
                path: path,
                "tensor '\(extra)' is not part of this model (checkpoint from another model or configuration?)")
        }
        // Copy only once everything matched, so a bad file leaves the model untouched.
        let sources = Dictionary(uniqueKeysWithValues: contents.tensors.map { ($0.name, $0.value) })
        for t in destination { t.value.assign(sources[t.name]!) }
        return contents.metadata
    }
}
