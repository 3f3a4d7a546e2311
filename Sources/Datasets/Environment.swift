import Foundation

/// The environment variable `name`, or nil when it is unset or empty: an empty value means
/// unset (the XDG Base Directory specification says so), never a path at the file system's root.
public func environmentValue(
    _ name: String, in environment: [String: String] = ProcessInfo.processInfo.environment
) -> String? {
    guard let value = environment[name], !value.isEmpty else { return nil }
    return value
}

/// A folder named by the environment variable `name`: nil when unset, empty or relative (the
/// XDG specification: a relative path there is invalid and ignored).
public func environmentFolder(
    _ name: String, in environment: [String: String] = ProcessInfo.processInfo.environment
) -> String? {
    environmentValue(name, in: environment).flatMap { $0.hasPrefix("/") ? $0 : nil }
}

/// The user's home folder: `$HOME` unless unset, empty or relative, else the password
/// database's entry for this user.
public func homeFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    if let home = environmentFolder("HOME", in: environment) { return home }
    if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir, directory.pointee != 0 {
        return String(cString: directory)
    }
    return NSTemporaryDirectory()
}
