import ChatProtocol

/// What `chat --version` prints: the program's version and the protocol it speaks.
public enum ChatVersion {
  /// The program's version; raised with each release.
  public static let number = "0.1.0"
  /// `0.1.0 (protocol 1)`.
  public static var description: String { "\(number) (protocol \(Hello.currentVersion))" }
}
