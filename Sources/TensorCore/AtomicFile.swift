import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    public var description: String { onOneLine("\(path): \(message)") }
}

/// `text` with its control characters escaped (`\n`, `\r`, `\t`, others as `\u{1B}`): a message
/// that quotes a file name stays one line, and a name cannot move the terminal's cursor.
public func onOneLine(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
    var shown = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\n": shown += "\\n"
        case "\r": shown += "\\r"
        case "\t": shown += "\\t"
        default:
            if scalar.properties.generalCategory == .control {
                shown += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
    }
    return shown
}

/// Numbers the temporary files of one process, so two writers in it never share one.
private let temporaryCounter = TemporaryCounter()
private final class TemporaryCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.withLock {
            value += 1; return value
        }
    }
}

/// Writes `data` to `path` so that readers see either the old file or the whole new one, never
/// a half-written file: the bytes go to `.<name>.<pid>.<n>.tmp` in the same folder (a long name
/// shortened, so the temporary name fits where the name does), are synced to disk, and the file
/// is renamed over the destination (rename is atomic within a file system), keeping the mode a
/// file it replaces had (a read-only 0444 checkpoint stays 0444). A failure (a full disk, a
/// read-only file system) removes the temporary file, leaves the destination as it was, and
/// names the operating system's reason. Temporary files that a killed process left beside the
/// destination are removed first.
public func writeAtomically(_ data: Data, to path: String) throws {
    let temporary = try writeTemporary(data, for: path)
    guard rename(temporary, path) == 0 else {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw FileError(path: path, "cannot replace the file: \(reason) (the previous file, if any, is as it was)")
    }
}

/// Files written as one unit: each goes to a temporary sibling first, and only once every one
/// is written whole are they all renamed into place (a rename needs no space), so a full disk,
/// an error or a Ctrl-C part-way leaves every earlier file as it was: never new metrics beside
/// old figures. A batch not committed removes its temporary files.
public final class FileBatch {
    private var staged: [(temporary: String, path: String)] = []

    public init() {}

    /// Writes `data` for `path`, to be renamed there by `commit`.
    public func write(_ data: Data, to path: String) throws {
        staged.append((try writeTemporary(data, for: path), path))
    }

    /// Renames every written file into place.
    public func commit() throws {
        defer { staged = [] }
        for (index, file) in staged.enumerated() where rename(file.temporary, file.path) != 0 {
            let reason = String(cString: strerror(errno))
            for rest in staged[index...] { unlink(rest.temporary) }
            throw FileError(path: file.path, "cannot replace the file: \(reason)")
        }
    }

    deinit { for file in staged { unlink(file.temporary) } }
}

/// Writes `data` to a new temporary file beside `path` (synced, with the mode of the file it
/// will replace) and returns its path; the caller renames it into place.
func writeTemporary(_ data: Data, for path: String) throws -> String {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path, name = url.lastPathComponent
    var info = stat()
    guard stat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
        throw FileError(path: folder, "folder does not exist")
    }
    var mode: mode_t?  // a file it replaces: its mode; a new file: the umask's
    if stat(path, &info) == 0 {
        guard info.st_mode & S_IFMT != S_IFDIR else { throw FileError(path: path, "is a folder, not a file") }
        mode = info.st_mode & 0o7777
    }
    removeStaleTemporaryFiles(of: name, in: folder)
    let temporary = folder + "/.\(temporaryStem(name)).\(getpid()).\(temporaryCounter.next()).tmp"
    func failure(_ what: String) -> FileError {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        return FileError(path: path, "cannot \(what): \(reason) (the previous file, if any, is as it was)")
    }
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw failure("write here") }
    var written = 0
    let ok = data.withUnsafeBytes { raw -> Bool in
        while written < raw.count {
            let n = write(descriptor, raw.baseAddress! + written, raw.count - written)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            written += n
        }
        return true
    }
    guard ok, fsync(descriptor) == 0 else {
        let error = failure("write")
        close(descriptor)
        throw error
    }
    if let mode, fchmod(descriptor, mode) != 0 {
        let error = failure("set the file's mode")
        close(descriptor)
        throw error
    }
    guard close(descriptor) == 0 else { throw failure("write") }
    return temporary
}

/// The part of a temporary file's name that stands for `name`: the name itself, or for a name
/// of more than 100 bytes its first 64 (whole characters) and a hash of the rest, so that
/// `.<stem>.<pid>.<n>.tmp` stays within the 255 bytes a file name may have.
func temporaryStem(_ name: String) -> String {
    guard name.utf8.count > 100 else { return name }
    var stem = ""
    for character in name {
        guard stem.utf8.count + character.utf8.count <= 64 else { break }
        stem.append(character)
    }
    return stem + "-" + String(fnv1a(name), radix: 16)
}

/// Removes `.<name>.<pid>.<n>.tmp` files in `folder` whose process no longer runs: what a
/// kill in the middle of `writeAtomically` leaves behind.
func removeStaleTemporaryFiles(of name: String, in folder: String) {
    let prefix = "." + temporaryStem(name) + "."
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
    for entry in entries where entry.hasPrefix(prefix) && entry.hasSuffix(".tmp") {
        let middle = entry.dropFirst(prefix.count).dropLast(4).split(separator: ".")
        guard middle.count == 2, let pid = Int32(middle[0]), Int(middle[1]) != nil, pid != getpid() else { continue }
        if kill(pid, 0) != 0 && errno == ESRCH { unlink(folder + "/" + entry) }
    }
}

/// Checks that `path` is a regular file that can be read, before any reader opens it: a FIFO or
/// a device would block or never end, a folder is no file. Every reader of a user's file (IDX,
/// PNG, checkpoint) goes through here, so each refuses the same inputs with the same words.
/// `what` names what the file should be ("a checkpoint", "an IDX file").
public func checkReadableFile(_ path: String, as what: String) throws {
    var info = stat()
    guard stat(path, &info) == 0 else {
        throw FileError(path: path, "cannot read \(what): \(String(cString: strerror(errno)))")
    }
    guard info.st_mode & S_IFMT == S_IFREG else {
        let kind =
            info.st_mode & S_IFMT == S_IFDIR
            ? "a folder" : info.st_mode & S_IFMT == S_IFIFO ? "a FIFO" : "a device or socket"
        throw FileError(path: path, "is \(kind), not a regular file; \(what) must be a file")
    }
    guard access(path, R_OK) == 0 else {
        throw FileError(path: path, "cannot read \(what): \(String(cString: strerror(errno)))")
    }
}

/// Checks that `path` can name a file or folder here: each component at most 255 bytes (a
/// file name's limit) and the whole at most 4,095 (a path's), before anything is created, so a
/// path too long leaves no folders behind. `what` names it in the error ("--out", "a checkpoint").
public func checkPathLength(_ path: String, _ what: String) throws {
    if let long = path.split(separator: "/").first(where: { $0.utf8.count > 255 }) {
        throw FileError(
            path: path,
            "\(what): the name '\(long.prefix(24))…' has \(long.utf8.count) bytes; a file or folder name takes at most 255"
        )
    }
    guard path.utf8.count <= 4_095 else {
        throw FileError(
            path: String(path.prefix(64)) + "…", "\(what): a path of \(path.utf8.count) bytes; at most 4,095 fit")
    }
}

/// The 64-bit FNV-1a hash of `text`'s UTF-8 bytes: a short, stable name for a long key (cache
/// files, lock files, shortened temporary names).
public func fnv1a(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
    return hash
}
