import ChatProtocol
import Foundation
import NIOCore

/// Resources/protocol-vectors.json, written by scripts/make-protocol-vectors.py.
struct ProtocolVectors: Decodable {
  struct ValidFrame: Decodable {
    var name: String
    var hex: String
    var frame: FrameFields
  }

  struct InvalidFrame: Decodable {
    var name: String
    var hex: String
    var error: String
  }

  struct FrameFields: Decodable {
    var type: String
    var version: UInt16?
    var offersAuth: Bool?
    var maximumPayloadLength: UInt32?
    var nonce: String?
    var name: String?
    var capabilities: [String]?
    var bytes: String?
    var sequence: UInt64?
    var text: String?
    var value: UInt64?
    var code: UInt16?
    var reason: String?
    var message: String?
    var sender: String?
    var kind: UInt8?
    var count: Int?
    var detail: String?
    var sessionID: String?
    var lastReceived: UInt64?
    var resumed: Bool?
    // File transfer (§10).
    var id: String?
    var size: UInt64?
    var resumeKey: String?
    var peer: String?
    var offset: UInt64?
    var window: UInt32?
    var data: String?
    var credit: UInt32?
    var sha256: String?
    var status: UInt8?

    var frame: Frame {
      switch type {
      case "hello":
        .hello(
          Hello(
            version: version!,
            offersAuth: offersAuth!,
            maximumPayloadLength: maximumPayloadLength!,
            nonce: decodeHex(nonce!),
            name: name!,
            capabilities: capabilities!
          )
        )
      case "cpace": .cpace(decodeHex(bytes!))
      case "noise": .noise(decodeHex(bytes!))
      case "sealed": .sealed(ByteBuffer(bytes: decodeHex(bytes!)))
      case "text": .text(TextMessage(sequence: sequence!, text: text!))
      case "roomText": .roomText(RoomText(sequence: sequence!, sender: sender!, text: text!))
      case "roomEvent":
        .roomEvent(
          RoomEvent(kind: RoomEvent.Kind(rawValue: kind!)!, participantCount: count!, name: name!, detail: detail!))
      case "whoRequest": .whoRequest
      case "session":
        .session(SessionRequest(sessionID: SessionID(bytes: decodeHex(sessionID!)), lastReceived: lastReceived!))
      case "sessionAccept":
        .sessionAccept(
          SessionAcceptance(
            sessionID: SessionID(bytes: decodeHex(sessionID!)), resumed: resumed!, lastReceived: lastReceived!))
      case "ack": .ack(sequence!)
      case "refused": .refused(Refusal(sequence: sequence!, reason: reason!))
      case "ping": .ping(value!)
      case "pong": .pong(value!)
      case "bye": .bye(Goodbye(code: ByeCode(rawValue: code!), reason: reason!))
      case "error": .error(ErrorReport(code: ErrorCode(rawValue: code!), message: message!))
      case "fileOffer", "fileAccept", "fileReject", "fileChunk", "fileCredit", "fileDone", "fileResult", "fileCancel":
        .file(file)
      default: fatalError("unknown vector frame type \(type)")
      }
    }
  }

  /// The hello's name rules, with names as UTF-8 hex (so the file holds no raw bidi
  /// characters). The look-alike pairs are read by ChatRoomTests.
  struct Names: Decodable {
    struct Rule: Decodable {
      var nameHex: String
      var refused: Bool
    }
    var rules: [Rule]
  }

  var frames: [ValidFrame]
  var invalid: [InvalidFrame]
  var names: Names

  static func load() throws -> ProtocolVectors {
    let root = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let data = try Data(contentsOf: root.appendingPathComponent("Resources/protocol-vectors.json"))
    return try JSONDecoder().decode(ProtocolVectors.self, from: data)
  }
}

func decodeHex(_ hex: String) -> [UInt8] {
  var result: [UInt8] = []
  var index = hex.startIndex
  while index < hex.endIndex {
    let next = hex.index(index, offsetBy: 2)
    result.append(UInt8(hex[index..<next], radix: 16)!)
    index = next
  }
  return result
}

func hexString(_ bytes: some Sequence<UInt8>) -> String {
  bytes.map { String(format: "%02x", $0) }.joined()
}

extension ErrorCode {
  init?(vectorName: String) {
    let codes: [String: ErrorCode] = [
      "unexpectedFrame": .unexpectedFrame, "frameTooLarge": .frameTooLarge,
      "unknownFrameType": .unknownFrameType, "invalidUTF8": .invalidUTF8,
      "malformedFrame": .malformedFrame, "unsupportedVersion": .unsupportedVersion,
      "notChatProtocol": .notChatProtocol,
    ]
    guard let code = codes[vectorName] else { return nil }
    self = code
  }
}

extension ProtocolVectors.FrameFields {
  /// The file transfer frame these fields describe.
  var file: FileFrame {
    let transfer = TransferID(bytes: decodeHex(id!))!
    return switch type {
    case "fileOffer":
      .offer(FileOffer(id: transfer, size: size!, resumeKey: decodeHex(resumeKey!), peer: peer!, name: name!))
    case "fileAccept": .accept(FileAccept(id: transfer, offset: offset!, window: window!))
    case "fileReject": .reject(transfer, reason: reason!)
    case "fileChunk": .chunk(FileChunk(id: transfer, offset: offset!, data: ByteBuffer(bytes: decodeHex(data!))))
    case "fileCredit": .credit(transfer, bytes: credit!)
    case "fileDone": .done(transfer, sha256: decodeHex(sha256!))
    case "fileResult": .result(transfer, FileResultStatus(rawValue: status!)!, reason: reason!)
    default: .cancel(transfer, reason: reason!)
    }
  }
}
