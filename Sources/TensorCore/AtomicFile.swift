import Foundation

/// An I/O failure, with the file it concerns and what was expected of it.
public struct FileError: Error, CustomStringConvertible, Equatable {
    /// The file or folder concerned.
    public let path: String
    /// What went wrong, in words a user can act on.
    public let message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Writes `data` to `path` so that readers see either the old file or the whole new one, never
/// a half-written file: the bytes go to a temporary file in the same folder, which is then
/// renamed over the destination (rename is atomic within a file system).
public func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw FileError(path: folder, "folder does not exist")
    }
    let temporary = folder + "/." + url.lastPathComponent + ".\(ProcessInfo.processInfo.processIdentifier).tmp"
    guard FileManager.default.createFile(atPath: temporary, contents: data) else {
        throw FileError(path: path, "cannot write here (is the folder writable?)")
    }
    guard rename(temporary, path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(atPath: temporary)
        throw FileError(path: path, "cannot replace the file: \(reason)")
    }
}
