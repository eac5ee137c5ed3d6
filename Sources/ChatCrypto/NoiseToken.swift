/// One token of a Noise message pattern (Noise revision 34, sections 5.3 and 9.2).
enum NoiseToken: Sendable, Equatable {
  /// An ephemeral public key, sent in clear.
  case e
  /// A static public key, encrypted once a key is mixed in.
  case s
  /// Diffie-Hellman between the two ephemerals.
  case ee
  /// Diffie-Hellman between the initiator's ephemeral and the responder's static.
  case es
  /// Diffie-Hellman between the initiator's static and the responder's ephemeral.
  case se
  /// Diffie-Hellman between the two statics.
  case ss
  /// The pre-shared symmetric key, mixed with MixKeyAndHash.
  case psk
}
