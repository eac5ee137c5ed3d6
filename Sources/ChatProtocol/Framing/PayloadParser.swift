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
      try expectLength(exactly: 32)
      return .authProof(payload.readBytes(length: 32)!)
    case .text:
      try expectLength(atLeast: 9, "a sequence number and at least one byte of text")
      let sequence = payload.readInteger(as: UInt64.self)!
      let text = try readUTF8(&payload, length: payload.readableBytes, field: "text")
      return .text(TextMessage(sequence: sequence, text: text))
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

  private func readUTF8(_ payload: inout ByteBuffer, length: Int, field: String) throws(FrameError) -> String {
    do {
      return try payload.readUTF8ValidatedString(length: length)!
    } catch {
      throw FrameError(.invalidUTF8, "\(type) frame: \(field) is not valid UTF-8")
    }
  }

  private func expectLength(exactly expected: Int) throws(FrameError) {
    guard length == expected else {
      throw malformed("payload is \(length) bytes; it must be exactly \(expected)")
    }
  }

  private func expectLength(atLeast minimum: Int, _ what: String) throws(FrameError) {
    guard length >= minimum else {
      throw malformed("payload is \(length) bytes; it needs \(what) (\(minimum) bytes at least)")
    }
  }

  private func malformed(_ message: String) -> FrameError {
    let text = message.hasPrefix("\(type)") ? message : "\(type) frame: \(message)"
    return FrameError(.malformedFrame, text)
  }
}
