import TensorCore

// Images cut into small square patches and put back together: the lecture's image compression,
// where an autoencoder codes each 8 × 8 patch on its own.

extension Dataset {
    /// Every `side` × `side` patch of the first image whose corner lies on a multiple of `stride`
    /// (row by row), as a data set of grey patches: `stride` = `side` tiles the image without
    /// overlap (the right and bottom edges left over are dropped).
    public func patches(side: Int, stride: Int, name: String) -> Dataset {
        precondition(
            channels == 1 && count >= 1 && side >= 1 && stride >= 1 && side <= height && side <= width,
            "patches of \(side) pixels from \(width)×\(height) grey images")
        var cut: [UInt8] = []
        var patchCount = 0
        for top in Swift.stride(from: 0, through: height - side, by: stride) {
            for left in Swift.stride(from: 0, through: width - side, by: stride) {
                for row in top..<(top + side) { cut += pixels[(row * width + left)..<(row * width + left + side)] }
                patchCount += 1
            }
        }
        return Dataset(
            name: name, pixels: cut, labels: [Int](repeating: 0, count: patchCount), height: side, width: side,
            channels: 1,
            classNames: ["patch"])
    }
}

/// Puts `patches` (rows × columns of them, (N, side · side), row by row) back together into one
/// image, (1, rows · side · columns · side): the inverse of `patches(side:stride:)` with stride = side.
public func tiledImage(_ patches: Tensor, side: Int, rows: Int, columns: Int) -> Tensor {
    precondition(
        patches.shape == Shape(rows * columns, side * side),
        "\(rows * columns) patches of \(side * side) values, got \(patches.shape)")
    let image = Tensor(zeros: [1, rows * side * columns * side])
    for patch in 0..<(rows * columns) {
        copyRectangle(
            side, side, from: patches.data + patch * side * side, width: side, top: 0, left: 0,
            into: image.data, width: columns * side, top: patch / columns * side, left: patch % columns * side)
    }
    return image
}

/// The `side` × `side` middle of a grey image (1, height · width), as (1, side · side).
public func centralCrop(_ image: Tensor, height: Int, width: Int, side: Int) -> Tensor {
    precondition(
        image.shape == Shape(1, height * width) && side <= height && side <= width,
        "a \(side)-pixel crop of a \(width)×\(height) image")
    let crop = Tensor(zeros: [1, side * side])
    copyRectangle(
        side, side, from: image.data, width: width, top: (height - side) / 2, left: (width - side) / 2,
        into: crop.data, width: side, top: 0, left: 0)
    return crop
}

/// Copies a `rows` × `columns` rectangle between two row-major grey images of the given widths,
/// from the source's corner (top, left) to the target's.
private func copyRectangle(
    _ rows: Int, _ columns: Int, from source: UnsafePointer<Float>, width sourceWidth: Int, top: Int, left: Int,
    into target: UnsafeMutablePointer<Float>, width targetWidth: Int, top targetTop: Int, left targetLeft: Int
) {
    for row in 0..<rows {
        (target + (targetTop + row) * targetWidth + targetLeft).update(
            from: source + (top + row) * sourceWidth + left, count: columns)
    }
}

extension Dataset {
    /// A data set of one grey image from a (1, height · width) tensor of pixels in [0, 1]
    /// (rounded to bytes, values outside clamped).
    public init(greyImage image: Tensor, height: Int, width: Int, name: String) {
        precondition(image.shape == Shape(1, height * width), "a \(width)×\(height) image, got \(image.shape)")
        self.init(
            name: name, pixels: image.scalars.map(pixelByte), labels: [0],
            height: height, width: width, channels: 1, classNames: ["image"])
    }
}
