import ChatProtocol
import Foundation
import NIOCore
import Testing

/// The file transfer frames (0x40–0x47) and the received-name cleaning against the vectors
/// of the independent Python implementation (scripts/chatfiles.py, through
/// scripts/make-protocol-vectors.py): `file_frames`, `file_frames_malformed`, `file_names`.
@Suite("File transfer vectors from Resources/protocol-vectors.json")
struct FileFrameVectorTests {
  let vectors: FileVectors

  init() throws {
    vectors = try FileVectors.load()
  }

  @Test func everyFileFrameTypeHasAVector() {
    let types = Set(vectors.fileFrames.map { decodeHex($0.hex)[4] })
    #expect(types == Set<UInt8>(0x40...0x47))
  }

  @Test func everyFileVectorDecodesToItsFrame() {
    for vector in vectors.fileFrames {
      let expected = vector.frame.frame
      let decoded = decodeStream([decodeHex(vector.hex)[...]])
      #expect(decoded == .success([expected]), "\(vector.name)")
      // String's == compares canonical equivalents as equal: compare the text's bytes too.
      if case .success(let frames) = decoded, frames.count == 1 {
        #expect(textBytes(of: frames[0]) == textBytes(of: expected), "\(vector.name): text bytes")
      }
    }
  }

  @Test func everyFileFrameEncodesToItsVector() {
    for vector in vectors.fileFrames {
      let frame = vector.frame.frame
      #expect(hexString(encode([frame])) == vector.hex, "\(vector.name)")
      #expect(frame.wireLength == vector.hex.count / 2, "\(vector.name): wireLength")
      #expect(frame.payloadLength == vector.hex.count / 2 - FrameHeader.size, "\(vector.name): payloadLength")
    }
  }

  @Test func everyMalformedFileFrameIsRefusedWithItsCode() {
    #expect(vectors.fileFramesMalformed.count >= 10)
    for vector in vectors.fileFramesMalformed {
      let expected = ErrorCode(vectorName: vector.error)
      #expect(expected != nil, "\(vector.name): unknown code name \(vector.error)")
      switch decodeStream([decodeHex(vector.hex)[...]]) {
      case .success(let frames):
        Issue.record("\(vector.name): decoded \(frames) instead of failing")
      case .failure(let error):
        #expect(error.code == expected, "\(vector.name): \(error.message)")
        #expect(!error.message.isEmpty)
      }
    }
  }

  @Test func receivedNamesAreCleanedAsTheIndependentImplementationDoes() {
    #expect(vectors.fileNames.cases.count >= 20)
    for sample in vectors.fileNames.cases {
      let raw = String(decoding: decodeHex(sample.rawHex), as: UTF8.self)
      switch SafeFileName.clean(raw) {
      case .success(let cleaned):
        // Byte for byte: no normalisation, and the cut at 250 bytes must match exactly.
        #expect(!sample.refused, "\(sample.what): cleaned to \(hexString(cleaned.utf8)) instead of refused")
        #expect(hexString(cleaned.utf8) == (sample.cleanedHex ?? ""), "\(sample.what)")
        #expect(cleaned.utf8.count <= SafeFileName.maximumLength, "\(sample.what)")
      case .failure(let problem):
        #expect(sample.refused, "\(sample.what): refused (\(problem)) instead of \(sample.cleanedHex ?? "")")
      }
    }
  }

  @Test func aCleanedNameIsCleanedToItself() {
    for sample in vectors.fileNames.cases {
      guard let hex = sample.cleanedHex else { continue }
      let cleaned = String(decoding: decodeHex(hex), as: UTF8.self)
      let again = try? SafeFileName.clean(cleaned).get()
      #expect(again.map { hexString($0.utf8) } == hex, "\(sample.what)")
    }
  }

  @Test func uniqueNamesAreTheIndependentImplementations() {
    #expect(vectors.fileUnique.count >= 5)
    for sample in vectors.fileUnique {
      let taken = Set(sample.taken.map { Array($0.utf8) })
      let unique = SafeFileName.unique(sample.name, exists: { taken.contains(Array($0.utf8)) })
      #expect(hexString(unique.utf8) == hexString(sample.unique.utf8), "\(sample.what)")
    }
  }

  private func textBytes(of frame: Frame) -> [[UInt8]] {
    guard case .file(let file) = frame else { return [] }
    switch file {
    case .offer(let offer): return [Array(offer.peer.utf8), Array(offer.name.utf8)]
    case .reject(_, let reason), .result(_, _, let reason), .cancel(_, let reason): return [Array(reason.utf8)]
    default: return []
    }
  }
}

/// The file transfer sections of Resources/protocol-vectors.json.
struct FileVectors: Decodable {
  struct FileFrameVector: Decodable {
    var name: String
    var hex: String
    var frame: Fields
  }

  struct Fields: Decodable {
    var type: String
    var id: String
    var size: UInt64?
    var resumeKey: String?
    var peer: String?
    var name: String?
    var offset: UInt64?
    var window: UInt32?
    var reason: String?
    var data: String?
    var bytes: UInt32?
    var sha256: String?
    var status: UInt8?

    var frame: Frame {
      let transferID = TransferID(bytes: decodeHex(id))!
      let file: FileFrame =
        switch type {
        case "fileOffer":
          .offer(
            FileOffer(id: transferID, size: size!, resumeKey: decodeHex(resumeKey!), peer: peer!, name: name!))
        case "fileAccept": .accept(FileAccept(id: transferID, offset: offset!, window: window!))
        case "fileReject": .reject(transferID, reason: reason!)
        case "fileChunk":
          .chunk(FileChunk(id: transferID, offset: offset!, data: ByteBuffer(bytes: decodeHex(data!))))
        case "fileCredit": .credit(transferID, bytes: bytes!)
        case "fileDone": .done(transferID, sha256: decodeHex(sha256!))
        case "fileResult": .result(transferID, FileResultStatus(rawValue: status!)!, reason: reason!)
        case "fileCancel": .cancel(transferID, reason: reason!)
        default: fatalError("unknown file vector frame type \(type)")
        }
      return .file(file)
    }
  }

  struct MalformedVector: Decodable {
    var name: String
    var hex: String
    var error: String
  }

  struct Names: Decodable {
    struct Case: Decodable {
      var what: String
      var rawHex: String
      var cleanedHex: String?
      var refused: Bool
    }
    var about: String
    var cases: [Case]
  }

  struct UniqueCase: Decodable {
    var what: String
    var name: String
    var taken: [String]
    var unique: String
  }

  var fileFrames: [FileFrameVector]
  var fileFramesMalformed: [MalformedVector]
  var fileNames: Names
  var fileUnique: [UniqueCase]

  enum CodingKeys: String, CodingKey {
    case fileFrames = "file_frames"
    case fileFramesMalformed = "file_frames_malformed"
    case fileNames = "file_names"
    case fileUnique = "file_unique"
  }

  static func load() throws -> FileVectors {
    let root = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let data = try Data(contentsOf: root.appendingPathComponent("Resources/protocol-vectors.json"))
    return try JSONDecoder().decode(FileVectors.self, from: data)
  }
}
