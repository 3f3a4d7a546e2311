import Foundation

/// Makes the output folder `path` (as `createFolder`) and claims it for this process until it
/// exits: a second run of gen (or a script) writing into the same folder meanwhile is refused
/// at once, before any work, instead of mixing its samples, metrics and captions with this
/// run's. The claim is an flock on a file named after the folder's absolute path, kept in the
/// temporary folder so that output folders (the committed gallery) hold only what was drawn;
/// the system releases it when the process ends, however it ends.
public func claimFolder(_ path: String) throws {
    try createFolder(path)
    try FolderClaims.shared.claim(URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path)
}

/// The folders this process holds.
final class FolderClaims: @unchecked Sendable {
    static let shared = FolderClaims()
    private let lock = NSLock()
    /// Claimed folders and the descriptors holding their locks, open until the process exits.
    private var held: [String: Int32] = [:]

    func claim(_ folder: String) throws {
        lock.lock()
        defer { lock.unlock() }
        guard held[folder] == nil else { return }  // this process already writes there
        let locks = NSTemporaryDirectory() + "gen-folder-locks"
        try? FileManager.default.createDirectory(atPath: locks, withIntermediateDirectories: true)
        let file = locks + "/" + String(fnv1a(folder), radix: 16) + ".lock"  // one lock file per folder
        let descriptor = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        // A lock that cannot be made (a read-only temporary folder) must not stop the run.
        guard descriptor >= 0 else { return }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw RunProblem.folderInUse(path: folder)
        }
        held[folder] = descriptor
    }
}
