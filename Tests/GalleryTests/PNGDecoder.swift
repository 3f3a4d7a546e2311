import CZlib
import Foundation

/// A second PNG decoder, independent of libgd and libpng: chunks and CRCs checked, IDAT
/// inflated with zlib, scanlines unfiltered. Handles what libgd writes: 8-bit RGB or RGBA,
/// no interlace.
struct DecodedPNG {
    let width: Int, height: Int
    let channels: Int
    let pixels: [UInt8]  // row-major, `channels` bytes a pixel

    func rgb(x: Int, y: Int) -> (Int, Int, Int) {
        let o = (y * width + x) * channels
        return (Int(pixels[o]), Int(pixels[o + 1]), Int(pixels[o + 2]))
    }

    enum Failure: Error { case signature, crc(String), unsupported(String), inflate(Int32), truncated }

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw Failure.signature }
        func be32(_ o: Int) -> Int {
            Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
        }
        var offset = 8, idat: [UInt8] = []
        var width = 0, height = 0, channels = 0
        while offset + 12 <= bytes.count {
            let length = be32(offset), type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            guard offset + 12 + length <= bytes.count else { throw Failure.truncated }
            let body = Array(bytes[(offset + 4)..<(offset + 8 + length)])
            let stored = UInt32(be32(offset + 8 + length))
            guard UInt32(crc32(0, body, UInt32(body.count))) == stored else { throw Failure.crc(type) }
            let content = Array(body.dropFirst(4))
            switch type {
            case "IHDR":
                width = Int(content[0]) << 24 | Int(content[1]) << 16 | Int(content[2]) << 8 | Int(content[3])
                height = Int(content[4]) << 24 | Int(content[5]) << 16 | Int(content[6]) << 8 | Int(content[7])
                guard content[8] == 8, content[12] == 0 else {
                    throw Failure.unsupported("depth \(content[8]), interlace \(content[12])")
                }
                switch content[9] {
                case 2: channels = 3
                case 6: channels = 4
                default: throw Failure.unsupported("colour type \(content[9])")
                }
            case "IDAT": idat += content
            default: break
            }
            offset += 12 + length
        }
        let stride = width * channels
        var raw = [UInt8](repeating: 0, count: height * (stride + 1))
        var rawLength = uLongf(raw.count)
        let status = uncompress(&raw, &rawLength, idat, uLong(idat.count))
        guard status == Z_OK, Int(rawLength) == raw.count else { throw Failure.inflate(status) }
        var out = [UInt8](repeating: 0, count: height * stride)
        for y in 0..<height {
            let filter = raw[y * (stride + 1)]
            for i in 0..<stride {
                let x = Int(raw[y * (stride + 1) + 1 + i])
                let a = i >= channels ? Int(out[y * stride + i - channels]) : 0
                let b = y > 0 ? Int(out[(y - 1) * stride + i]) : 0
                let c = (i >= channels && y > 0) ? Int(out[(y - 1) * stride + i - channels]) : 0
                let predicted: Int
                switch filter {
                case 0: predicted = 0
                case 1: predicted = a
                case 2: predicted = b
                case 3: predicted = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predicted = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c)
                default: throw Failure.unsupported("filter \(filter)")
                }
                out[y * stride + i] = UInt8((x + predicted) & 0xFF)
            }
        }
        (self.width, self.height, self.channels, self.pixels) = (width, height, channels, out)
    }
}
