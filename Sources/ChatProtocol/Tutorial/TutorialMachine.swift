public import NIOCore

/// One connection in the tutorials' format (`--framing tutorial`), as a pure state machine:
/// fed the bytes received and the user's lines, it says what to write, what to report and
/// when to close. The NIO shell only carries the actions out.
///
/// The format has no hello, no names, no receipts and no encryption: each message is a
/// 4-byte little-endian `struct.pack('i')` length and the text's bytes
/// (``TutorialFrameDecoder``). With a secret, the tutorials' client check comes first
/// (``TutorialHMAC``): the listener sends 32 random bytes, the connector answers with 16.
///
/// ```
/// listener                      connector
///   challenge (32 bytes)  ──▶
///                         ◀──   HMAC-MD5(secret, challenge) (16 bytes)
///   compares; closes if wrong
///   frames                ◀──▶  frames
/// ```
///
/// Nothing tells the connector whether its answer was accepted: a listener that disagrees
/// just closes the connection, so a connector whose connection closes before anything
/// arrives says the secret was probably wrong.
public struct TutorialMachine: Sendable {
  /// Which side of the connection this is.
  public enum Role: Hashable, Sendable {
    /// Accepted the connection: sends the challenge, checks the answer.
    case listener
    /// Made the connection: answers the challenge.
    case connector
  }

  /// What a connection is started with.
  public struct Configuration: Sendable {
    public var role: Role
    /// The tutorials' `secret_key`; nil for no check at all.
    public var secret: SharedSecret?
    /// Largest frame accepted from the peer (`--max-frame`).
    public var maximumPayloadLength: Int
    /// How text becomes bytes and back (`--encoding`).
    public var encoding: TutorialTextEncoding

    /// A configuration for `role`; see the properties.
    public init(role: Role, secret: SharedSecret?, maximumPayloadLength: Int, encoding: TutorialTextEncoding = .utf8) {
      self.role = role
      self.secret = secret
      self.maximumPayloadLength = maximumPayloadLength
      self.encoding = encoding
    }
  }

  /// What the shell does, in order.
  public enum Action: Hashable, Sendable {
    /// Write these bytes (the challenge or the answer).
    case write([UInt8])
    /// Messages may flow; `auth` is what the check proved, for the status.
    case established(AuthStatus)
    /// Write `frame` (header and text) and, once written, report `message` as sent.
    case send(frame: [UInt8], message: TextMessage, textBytes: Int)
    /// A line that was not sent, and why.
    case notSent(text: String, reason: String)
    /// A message from the peer: its text (undecodable bytes escaped), its bytes, and the
    /// bytes its frame took.
    case received(TextMessage, textBytes: Int, wireBytes: Int)
    /// Close the connection; the session ended this way.
    case close(SessionEnd)
  }

  private enum State: Hashable, Sendable {
    /// Not started (a connector still connecting).
    case idle
    /// Listener: the challenge is sent, the answer not yet in.
    case awaitingAnswer(challenge: [UInt8])
    /// Connector: the challenge is not yet all in.
    case awaitingChallenge
    case open
    case ended
  }

  public let configuration: Configuration
  private let challenge: [UInt8]
  private let decoder: TutorialFrameDecoder
  private var state = State.idle
  /// Lines given before messages could flow; sent once they can.
  private var waiting: [String] = []
  private var sentCount: UInt64 = 0
  private var receivedCount: UInt64 = 0
  /// Whether any byte arrived after the check (for the connector's guess at a wrong secret).
  private var heardSinceCheck = false

  /// - Parameter challenge: the listener's 32 random bytes (`os.urandom(32)`), given by the
  ///   shell so that the machine stays deterministic; ignored by a connector.
  public init(configuration: Configuration, challenge: [UInt8] = []) {
    precondition(
      configuration.role == .connector || configuration.secret == nil
        || challenge.count == TutorialHMAC.challengeSize,
      "a listener with a secret needs a 32-byte challenge")
    self.configuration = configuration
    self.challenge = challenge
    self.decoder = TutorialFrameDecoder(maximumPayloadLength: configuration.maximumPayloadLength)
  }

  /// Whether messages flow.
  public var isOpen: Bool { state == .open }

  /// What the status says once messages flow.
  public var authStatus: AuthStatus { .tutorial(secret: configuration.secret != nil) }

  /// The connection is up.
  public mutating func start() -> [Action] {
    guard state == .idle else { return [] }
    switch (configuration.role, configuration.secret) {
    case (_, nil):
      return open()
    case (.listener, _):
      state = .awaitingAnswer(challenge: challenge)
      return [.write(challenge)]
    case (.connector, _):
      state = .awaitingChallenge
      return []
    }
  }

  /// Takes what can be taken from `buffer` (which keeps a partial frame or challenge).
  public mutating func receive(_ buffer: inout ByteBuffer) -> [Action] {
    var actions: [Action] = []
    while buffer.readableBytes > 0 {
      switch state {
      case .idle, .ended:
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return actions
      case .awaitingChallenge:
        guard buffer.readableBytes >= TutorialHMAC.challengeSize,
          let secret = configuration.secret,
          let received = buffer.readBytes(length: TutorialHMAC.challengeSize)
        else { return actions }
        actions.append(.write(TutorialHMAC.answer(secret: secret, challenge: received)))
        actions += open()
      case .awaitingAnswer(let challenge):
        guard buffer.readableBytes >= TutorialHMAC.answerSize,
          let secret = configuration.secret,
          let answer = buffer.readBytes(length: TutorialHMAC.answerSize)
        else { return actions }
        guard TutorialHMAC.verify(answer, secret: secret, challenge: challenge) else {
          return actions
            + end(
              .authFailed(
                "the answer to the hmac challenge is wrong: the client's secret differs (or it is not a tutorial client with the hmac check)"
              ))
        }
        actions += open()
      case .open:
        heardSinceCheck = true
        let payload: [UInt8]?
        do {
          payload = try decoder.decode(&buffer)
        } catch {
          let code: ErrorCode = if case .tooLarge = error { .frameTooLarge } else { .malformedFrame }
          return actions + end(.failed(code, error.description))
        }
        guard let payload else { return actions }
        receivedCount += 1
        let message = TextMessage(sequence: receivedCount, text: configuration.encoding.decode(payload))
        actions.append(
          .received(message, textBytes: payload.count, wireBytes: TutorialFrameDecoder.headerSize + payload.count))
      }
    }
    return actions
  }

  /// The user's line: framed at once when messages flow, kept until then, refused when the
  /// connection is over or the text can't be written in the encoding.
  public mutating func send(_ text: String) -> [Action] {
    switch state {
    case .ended:
      return [.notSent(text: text, reason: "the connection is closed")]
    case .idle, .awaitingAnswer, .awaitingChallenge:
      waiting.append(text)
      return []
    case .open:
      return [frame(text)]
    }
  }

  /// The peer closed its side; `leftover` bytes of a frame (or of the check) had arrived.
  public mutating func inputEnded(leftover: Int) -> [Action] {
    switch state {
    case .ended:
      return []
    case .idle:
      return end(.connectionLost("the connection closed"))
    case .awaitingChallenge:
      return end(
        .connectionLost(
          "the server closed the connection during the hmac challenge (\(leftover) of \(TutorialHMAC.challengeSize) bytes): does it use the hmac check?"
        ))
    case .awaitingAnswer:
      return end(
        .authFailed(
          "the client closed the connection before answering the hmac challenge (\(leftover) of \(TutorialHMAC.answerSize) bytes)"
        ))
    case .open:
      if leftover > 0 {
        return end(
          .connectionLost("the connection closed in the middle of a frame (\(leftover) bytes of it had arrived)"))
      }
      if configuration.role == .connector, configuration.secret != nil, !heardSinceCheck {
        return end(
          .authFailed(
            "the server closed the connection after our hmac answer without sending anything: the secret is probably wrong (the tutorials' check never says so)"
          ))
      }
      return end(.peerClosed(Goodbye(code: .userQuit, reason: "closed the connection")))
    }
  }

  /// The check took too long.
  public mutating func handshakeTimedOut(after seconds: String) -> [Action] {
    switch state {
    case .awaitingAnswer:
      return end(.failed(.handshakeTimeout, "no answer to the hmac challenge within \(seconds)"))
    case .awaitingChallenge:
      return end(
        .failed(
          .handshakeTimeout,
          "no hmac challenge from the server within \(seconds): does it use the hmac check? (without it, start chat with no secret)"
        ))
    case .idle, .open, .ended:
      return []
    }
  }

  /// This side ends the conversation (the format has no goodbye: the connection closes).
  public mutating func localClose(_ goodbye: Goodbye) -> [Action] {
    end(.localClose(goodbye))
  }

  /// The connection failed under the machine (a reset, a write error).
  public mutating func connectionFailed(_ reason: String) -> [Action] {
    end(.connectionLost(reason))
  }

  // MARK: - Steps

  private mutating func open() -> [Action] {
    state = .open
    let lines = waiting
    waiting = []
    return [.established(authStatus)] + lines.map { frame($0) }
  }

  private mutating func frame(_ text: String) -> Action {
    let bytes: [UInt8]
    switch configuration.encoding.encode(text) {
    case .success(let encoded): bytes = encoded
    case .failure(let refusal): return .notSent(text: text, reason: refusal.description)
    }
    guard bytes.count <= Int(Int32.max) else {
      return .notSent(text: text, reason: "longer than a tutorial frame can say (2^31-1 bytes)")
    }
    sentCount += 1
    return .send(
      frame: TutorialFrameDecoder.header(length: bytes.count) + bytes,
      message: TextMessage(sequence: sentCount, text: text), textBytes: bytes.count)
  }

  private mutating func end(_ sessionEnd: SessionEnd) -> [Action] {
    guard state != .ended else { return [] }
    let before = state
    state = .ended
    let reason =
      switch before {
      case .open: "the connection closed before it was sent"
      default: "the connection ended before the peer was checked: \(sessionEnd)"
      }
    let unsent = waiting.map { Action.notSent(text: $0, reason: reason) }
    waiting = []
    return unsent + [.close(sessionEnd)]
  }
}
