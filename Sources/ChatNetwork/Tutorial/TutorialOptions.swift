public import ChatProtocol

/// What a connection in the tutorials' framing (`--framing tutorial`) is run with.
public struct TutorialOptions: Sendable {
  /// The tutorials' `secret_key` for their hmac check, or nil for no check.
  public var secret: SharedSecret?
  /// Largest frame accepted from the peer (`--max-frame`).
  public var maximumPayloadLength: Int
  /// How text becomes bytes and back (`--encoding`).
  public var encoding: TutorialTextEncoding
  /// How long the hmac check may take (`--handshake-timeout`).
  public var handshakeTimeout: Duration

  /// Options with the defaults of the command line: no secret, 1 MiB frames, UTF-8, 10 s.
  public init(
    secret: SharedSecret? = nil, maximumPayloadLength: Int = FrameHeader.defaultMaximumPayloadLength,
    encoding: TutorialTextEncoding = .utf8, handshakeTimeout: Duration = .seconds(10)
  ) {
    self.secret = secret
    self.maximumPayloadLength = maximumPayloadLength
    self.encoding = encoding
    self.handshakeTimeout = handshakeTimeout
  }

  func configuration(role: TutorialMachine.Role) -> TutorialMachine.Configuration {
    TutorialMachine.Configuration(
      role: role, secret: secret, maximumPayloadLength: maximumPayloadLength, encoding: encoding)
  }
}
