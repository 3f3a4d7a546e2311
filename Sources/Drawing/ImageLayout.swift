import TensorCore

/// The size and layout of images stored as rows of a tensor: (N, C*H*W), planar channels.
public struct ImageLayout: Sendable, Equatable {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Values per image.
    public var size: Int { channels * height * width }
}
