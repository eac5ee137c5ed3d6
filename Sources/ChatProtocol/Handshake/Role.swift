/// Which end of the TCP connection a session is: it decides the order of the transcript
/// and the label in each auth proof, so a proof can't be reflected back to its sender.
public enum Role: Sendable, Hashable {
  /// The side that called connect.
  case connector
  /// The side that accepted the connection.
  case listener

  public var peer: Role { self == .connector ? .listener : .connector }

  /// The label mixed into this role's proof (see docs/PROTOCOL.md, "Authentication").
  var proofLabel: String {
    switch self {
    case .connector: "chat/1 connector proof"
    case .listener: "chat/1 listener proof"
    }
  }
}
