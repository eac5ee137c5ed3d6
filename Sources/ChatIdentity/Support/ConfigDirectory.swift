#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where chat keeps its files: `$XDG_CONFIG_HOME/chat` when that is set to an absolute path
/// (the XDG Base Directory rule: a relative value is to be ignored), else `$HOME/.config/chat`.
enum ConfigDirectory {
  static func path(of fileName: String, environment: [String: String]) -> String {
    if let configHome = environment["XDG_CONFIG_HOME"], configHome.hasPrefix("/") {
      return withoutTrailingSlashes(configHome) + "/chat/" + fileName
    }
    return withoutTrailingSlashes(home(environment: environment)) + "/.config/chat/" + fileName
  }

  /// $HOME, or the password database's home directory when HOME is unset or empty (as under
  /// some service managers), so the key never silently lands in the working directory.
  private static func home(environment: [String: String]) -> String {
    if let home = environment["HOME"], !home.isEmpty { return home }
    var entry = passwd()
    var result: UnsafeMutablePointer<passwd>?
    let size = 4096
    var buffer = [CChar](repeating: 0, count: size)
    if getpwuid_r(getuid(), &entry, &buffer, size, &result) == 0, let result, let directory = result.pointee.pw_dir {
      return String(cString: directory)
    }
    return "/"
  }

  /// "/home/me/" and "/home/me" name the same directory; keep paths in messages tidy.
  private static func withoutTrailingSlashes(_ path: String) -> String {
    var path = path
    while path.count > 1, path.hasSuffix("/") { path.removeLast() }
    return path
  }
}
