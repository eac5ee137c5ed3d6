/// A Noise handshake pattern (Noise revision 34, sections 7 and 9).
///
/// Each case carries its pre-messages and message patterns as data, read by
/// ``NoiseHandshake``'s token interpreter; nothing else in the handshake depends on which
/// pattern it runs.
public enum NoisePattern: Sendable {
  /// `-> e` / `<- e, ee`: no authentication, ephemeral keys only.
  case nn
  /// NN with the psk mixed in before the first ephemeral: `-> psk, e` / `<- e, ee`.
  case nnpsk0
  /// NN with the psk mixed in at the end of the second message: `-> e` / `<- e, ee, psk`.
  case nnpsk2
  /// `-> e` / `<- e, ee, s, es` / `-> s, se`: both statics sent, encrypted.
  case xx
  /// XX with the psk mixed in at the end of the third message.
  case xxpsk3
  /// `<- s` known in advance; `-> e, es, s, ss` / `<- e, ee, se`.
  case ik
  /// `<- s` known in advance; `-> e, es` / `<- e, ee` / `-> s, se`.
  case xk

  /// The pattern's section of the protocol name, modifiers included.
  var name: String {
    switch self {
    case .nn: "NN"
    case .nnpsk0: "NNpsk0"
    case .nnpsk2: "NNpsk2"
    case .xx: "XX"
    case .xxpsk3: "XXpsk3"
    case .ik: "IK"
    case .xk: "XK"
    }
  }

  /// The initiator's pre-message (keys the responder knows before the handshake).
  var initiatorPreMessage: [NoiseToken] { [] }

  /// The responder's pre-message (keys the initiator knows before the handshake).
  var responderPreMessage: [NoiseToken] {
    switch self {
    case .ik, .xk: [.s]
    case .nn, .nnpsk0, .nnpsk2, .xx, .xxpsk3: []
    }
  }

  /// The message patterns in order; even indexes are the initiator's.
  var messages: [[NoiseToken]] {
    switch self {
    case .nn: [[.e], [.e, .ee]]
    case .nnpsk0: [[.psk, .e], [.e, .ee]]
    case .nnpsk2: [[.e], [.e, .ee, .psk]]
    case .xx: [[.e], [.e, .ee, .s, .es], [.s, .se]]
    case .xxpsk3: [[.e], [.e, .ee, .s, .es], [.s, .se, .psk]]
    case .ik: [[.e, .es, .s, .ss], [.e, .ee, .se]]
    case .xk: [[.e, .es], [.e, .ee], [.s, .se]]
    }
  }

  /// Whether this is a psk handshake, where every `e` token also mixes the key (section 9.2).
  var usesPreSharedKey: Bool {
    messages.contains { $0.contains(.psk) }
  }
}
