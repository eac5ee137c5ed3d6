import ChatCrypto
import NIOCore

/// Reads the fields of one frame's payload, checking every length against the rules in
/// docs/PROTOCOL.md.
struct PayloadParser {
  let type: FrameType
  let length: Int

  init(type: FrameType, payload: ByteBuffer) {
    self.type = type
    self.length = payload.readableBytes
  }

  func parse(_ payload: inout ByteBuffer) throws(FrameError) -> Frame {
    switch type {
    case .hello:
      return .hello(try parseHello(&payload))
    case .authProof:
      throw FrameError(
        .unexpectedFrame, "an AUTH_PROOF frame is protocol version 1's; version 2 proves the secret with CPace")
    case .cpace:
      try expectLength(exactly: CPace.shareLength)
      return .cpace(payload.readBytes(length: CPace.shareLength)!)
    case .noise:
      guard (32...SessionMachine.handshakeFrameLimit).contains(length) else {
        throw malformed("a NOISE frame holds 32 to \(SessionMachine.handshakeFrameLimit) bytes, not \(length)")
      }
      return .noise(payload.readBytes(length: length)!)
    case .sealed:
      guard length >= RecordSealer.overhead + FrameHeader.size else {
        throw malformed(
          "a SEALED frame holds at least \(RecordSealer.overhead + FrameHeader.size) bytes, not \(length)")
      }
      return .sealed(payload.readSlice(length: length)!)
    case .session:
      try expectLength(exactly: SessionRequest.payloadLength)
      let id = SessionID(bytes: payload.readBytes(length: SessionID.length)!)
      return .session(SessionRequest(sessionID: id, lastReceived: payload.readInteger(as: UInt64.self)!))
    case .sessionAccept:
      try expectLength(exactly: SessionAcceptance.payloadLength)
      let id = SessionID(bytes: payload.readBytes(length: SessionID.length)!)
      let flags = payload.readInteger(as: UInt8.self)!
      return .sessionAccept(
        SessionAcceptance(
          sessionID: id, resumed: flags & SessionAcceptance.resumedFlag != 0,
          lastReceived: payload.readInteger(as: UInt64.self)!))
    case .ack:
      try expectLength(exactly: 8)
      return .ack(payload.readInteger(as: UInt64.self)!)
    case .refused:
      try expectLength(atLeast: 8, "a sequence number")
      let sequence = payload.readInteger(as: UInt64.self)!
      let reason = try readUTF8(&payload, length: payload.readableBytes, field: "reason")
      return .refused(Refusal(sequence: sequence, reason: reason))
    case .text:
      try expectLength(atLeast: 9, "a sequence number and at least one byte of text")
      let sequence = payload.readInteger(as: UInt64.self)!
      let text = try readUTF8(&payload, length: payload.readableBytes, field: "text")
      return .text(TextMessage(sequence: sequence, text: text))
    case .roomText:
      try expectLength(atLeast: 11, "a sequence number, a sender name and at least one byte of text")
      let sequence = payload.readInteger(as: UInt64.self)!
      let sender = try readName(&payload, field: "sender")
      guard payload.readableBytes >= 1 else { throw malformed("room text has no text") }
      let text = try readUTF8(&payload, length: payload.readableBytes, field: "text")
      return .roomText(RoomText(sequence: sequence, sender: sender, text: text))
    case .roomEvent:
      try expectLength(atLeast: 5, "a kind, a count and a name")
      let kindByte = payload.readInteger(as: UInt8.self)!
      guard let kind = RoomEvent.Kind(rawValue: kindByte) else {
        throw malformed("unknown room event kind \(kindByte)")
      }
      let count = Int(payload.readInteger(as: UInt16.self)!)
      let name = try readName(&payload, field: "name")
      let detail = try readUTF8(&payload, length: payload.readableBytes, field: "detail")
      return .roomEvent(RoomEvent(kind: kind, participantCount: count, name: name, detail: detail))
    case .whoRequest:
      try expectLength(exactly: 0)
      return .whoRequest
    case .ping, .pong:
      try expectLength(exactly: 8)
      let value = payload.readInteger(as: UInt64.self)!
      return type == .ping ? .ping(value) : .pong(value)
    case .bye:
      try expectLength(atLeast: 2, "a two-byte code")
      let code = ByeCode(rawValue: payload.readInteger(as: UInt16.self)!)
      let reason = try readUTF8(&payload, length: payload.readableBytes, field: "bye reason")
      return .bye(Goodbye(code: code, reason: reason))
    case .error:
      try expectLength(atLeast: 2, "a two-byte code")
      let code = ErrorCode(rawValue: payload.readInteger(as: UInt16.self)!)
      let message = try readUTF8(&payload, length: payload.readableBytes, field: "error message")
      return .error(ErrorReport(code: code, message: message))
    case .fileOffer:
      return .file(.offer(try parseFileOffer(&payload)))
    case .fileAccept:
      return .file(.accept(try parseFileAccept(&payload)))
    case .fileReject:
      return .file(try parseFileReason(&payload) { .reject($0, reason: $1) })
    case .fileChunk:
      return .file(.chunk(try parseFileChunk(&payload)))
    case .fileCredit:
      return .file(try parseFileCredit(&payload))
    case .fileDone:
      return .file(try parseFileDone(&payload))
    case .fileResult:
      return .file(try parseFileResult(&payload))
    case .fileCancel:
      return .file(try parseFileReason(&payload) { .cancel($0, reason: $1) })
    }
  }

  private func parseHello(_ payload: inout ByteBuffer) throws(FrameError) -> Hello {
    // The version comes first and is read on its own, so that a peer of another version
    // gets "unsupported version" rather than a complaint about fields it lays out differently.
    guard let version = payload.readInteger(as: UInt16.self) else {
      throw malformed("a hello needs at least a two-byte version, got \(length) bytes")
    }
    guard version == Hello.currentVersion else {
      throw FrameError(
        .unsupportedVersion,
        "peer speaks chat protocol version \(version); this program speaks version \(Hello.currentVersion)"
      )
    }
    guard payload.readableBytes >= 2 + 4 + Hello.nonceLength + 1 else {
      throw malformed("hello payload of \(length) bytes is too short")
    }
    let flags = payload.readInteger(as: UInt16.self)!
    let maximumPayload = payload.readInteger(as: UInt32.self)!
    guard maximumPayload >= FrameHeader.minimumMaximumPayloadLength else {
      throw malformed(
        "hello announces a maximum payload of \(maximumPayload) bytes, below the minimum of \(FrameHeader.minimumMaximumPayloadLength)"
      )
    }
    let nonce = payload.readBytes(length: Hello.nonceLength)!
    let nameLength = Int(payload.readInteger(as: UInt8.self)!)
    guard (1...Hello.maximumNameLength).contains(nameLength) else {
      throw malformed("hello name length \(nameLength) is outside 1...\(Hello.maximumNameLength)")
    }
    guard payload.readableBytes >= nameLength + 1 else {
      throw malformed("hello ends inside its name")
    }
    let name = try readUTF8(&payload, length: nameLength, field: "name")
    let count = Int(payload.readInteger(as: UInt8.self)!)
    guard count <= Hello.maximumCapabilityCount else {
      throw malformed("hello lists \(count) capabilities, more than \(Hello.maximumCapabilityCount)")
    }
    var capabilities: [String] = []
    for _ in 0..<count {
      guard let capabilityLength = payload.readInteger(as: UInt8.self).map(Int.init),
        (1...Hello.maximumCapabilityLength).contains(capabilityLength),
        let bytes = payload.readBytes(length: capabilityLength)
      else {
        throw malformed("hello capability list is cut short or has a bad length")
      }
      guard bytes.allSatisfy({ (0x21...0x7e).contains($0) }) else {
        throw malformed("hello capability names are printable ASCII")
      }
      capabilities.append(String(decoding: bytes, as: UTF8.self))
    }
    guard payload.readableBytes == 0 else {
      throw malformed("hello has \(payload.readableBytes) bytes after its last field")
    }
    var hello = Hello(
      offersAuth: false,
      maximumPayloadLength: maximumPayload,
      nonce: nonce,
      name: name,
      capabilities: capabilities
    )
    hello.flags = flags
    return hello
  }

  /// A one-byte length (1...64) and that many bytes of UTF-8.
  private func readName(_ payload: inout ByteBuffer, field: String) throws(FrameError) -> String {
    guard let length = payload.readInteger(as: UInt8.self).map(Int.init),
      (1...Hello.maximumNameLength).contains(length)
    else {
      throw malformed("\(field) length is outside 1...\(Hello.maximumNameLength)")
    }
    guard payload.readableBytes >= length else { throw malformed("the frame ends inside the \(field)") }
    return try readUTF8(&payload, length: length, field: field)
  }

  func readUTF8(_ payload: inout ByteBuffer, length: Int, field: String) throws(FrameError) -> String {
    // Validate straight from the buffer's contiguous bytes: the String is the only
    // allocation (a generic sequence would be copied into an array first).
    let string = payload.withUnsafeReadableBytes { raw in
      String(validating: raw.prefix(length).bindMemory(to: UInt8.self), as: UTF8.self)
    }
    guard let string else {
      throw FrameError(.invalidUTF8, "\(type) frame: \(field) is not valid UTF-8")
    }
    payload.moveReaderIndex(forwardBy: length)
    return string
  }

  func expectLength(exactly expected: Int) throws(FrameError) {
    guard length == expected else {
      throw malformed("payload is \(length) bytes; it must be exactly \(expected)")
    }
  }

  func expectLength(atLeast minimum: Int, _ what: String) throws(FrameError) {
    guard length >= minimum else {
      throw malformed("payload is \(length) bytes; it needs \(what) (\(minimum) bytes at least)")
    }
  }

  func malformed(_ message: String) -> FrameError {
    let text = message.hasPrefix("\(type)") ? message : "\(type) frame: \(message)"
    return FrameError(.malformedFrame, text)
  }
}
