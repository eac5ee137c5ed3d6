import ChatEvents
import ChatProtocol
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import ChatNetwork

/// Two transfer engines joined by in-memory links on one event loop: paths a real
/// connection only reaches by bad luck, made to happen on purpose.
@Suite("Transfer engine: two engines, in-memory links")
struct TransferEngineTests {
  /// A link that hands frames to the other engine on the next loop turn, unless its filter
  /// drops them (a connection that died before they arrived).
  final class MemoryLink: FileLink {
    let loop: any EventLoop
    var deliver: ((FileFrame) -> Void)?
    var drops: (FileFrame) -> Bool = { _ in false }
    var dropped: [FileFrame] = []

    init(loop: any EventLoop) { self.loop = loop }

    func sendFile(_ frame: FileFrame) {
      if drops(frame) {
        dropped.append(frame)
        return
      }
      let deliver = NIOLoopBound(self.deliver, eventLoop: loop)
      loop.execute { deliver.value?(frame) }
    }

    var fileChunkLimit: Int? { 128 << 10 }
    var isKeepingUp: Bool { true }
  }

  /// The events of both engines, awaited from the test.
  final class Events: Sendable {
    private let box = NIOLockedValueBox<[(String, SessionEvent)]>([])
    func append(_ side: String, _ event: SessionEvent) { box.withLockedValue { $0.append((side, event)) } }
    var all: [(String, SessionEvent)] { box.withLockedValue { $0 } }

    func wait(_ what: String, until: @escaping ([(String, SessionEvent)]) -> Bool) async throws {
      for _ in 0..<600 {
        if until(all) { return }
        try await Task.sleep(for: .milliseconds(25))
      }
      Issue.record("timed out waiting for \(what): \(all)")
      throw CancellationError()
    }
  }

  @Test func aResultLostToADropIsConfirmedWithoutWritingTheFileAgain() async throws {
    let folder = try TemporaryFolder()
    let source = try folder.file("report.pdf", size: 300_000)
    let loop = MultiThreadedEventLoopGroup.singleton.next()
    let events = Events()
    let setup = try await loop.submit {
      let sender = TransferEngine(loop: loop, settings: TransferSettings()) { events.append("sender", $0) }
      let receiver = TransferEngine(
        loop: loop, settings: TransferSettings(autoAcceptDirectory: folder.path + "/in")
      ) { events.append("receiver", $0) }
      let toReceiver = MemoryLink(loop: loop)
      let toSender = MemoryLink(loop: loop)
      toReceiver.deliver = { receiver.receive($0, from: toSender) }
      toSender.deliver = { sender.receive($0, from: toReceiver) }
      // The connection dies as the result is sent: it never reaches the sender.
      toSender.drops = { if case .result = $0 { true } else { false } }
      sender.offer(path: source.path, to: nil, announcing: "") { toReceiver }
      return NIOLoopBound((sender, receiver, toReceiver, toSender), eventLoop: loop)
    }.get()
    try await events.wait("the receiver's verified file") { all in
      all.contains { $0.0 == "receiver" && ($0.1.fileFinished?.outcome.isVerified ?? false) }
    }
    try await loop.submit {
      let (sender, receiver, toReceiver, toSender) = setup.value
      #expect(toSender.dropped.count == 1)
      sender.linkLost(toReceiver, reason: "dropped")
      receiver.linkLost(toSender, reason: "dropped")
      // The next connection.
      let again = MemoryLink(loop: loop)
      let back = MemoryLink(loop: loop)
      again.deliver = { receiver.receive($0, from: back) }
      back.deliver = { sender.receive($0, from: again) }
      sender.linkEstablished(again)
    }.get()
    try await events.wait("the sender's verified transfer") { all in
      all.contains { $0.0 == "sender" && ($0.1.fileFinished?.outcome.isVerified ?? false) }
    }
    #expect(try folder.listing("in") == ["report.pdf"], "one copy, no .part left")
    let receiverEnds = events.all.filter { $0.0 == "receiver" && $0.1.fileFinished != nil }
    #expect(receiverEnds.count == 1, "the receiver reports its file once")
  }

  /// A transfer cut short into a taken name left `movie (1).mkv.part` (`movie.mkv` is
  /// someone else's): the same file offered again carries on from it. (The search for the
  /// resume marker stopped at the first free name, and the file started over in `(2)`.)
  @Test func aPartFileUnderANumberedNameIsResumed() async throws {
    let folder = try TemporaryFolder()
    let source = try folder.file("movie.mkv", size: 1_000_000)
    let inbox = folder.path + "/in"
    try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
    try Data("someone else's movie".utf8).write(to: URL(fileURLWithPath: inbox + "/movie.mkv"))
    let loop = MultiThreadedEventLoopGroup.singleton.next()
    // What an earlier, cut-short transfer of the same file left: its first 400,000 bytes
    // and the marker that names the file.
    let opened = try await FileStore().openSource(path: source.path, on: loop).get()
    let marker = FileStore.markerText(
      FileOffer(id: .random(), size: opened.size, resumeKey: opened.resumeKey, peer: "", name: "movie.mkv"))
    try? opened.handle.close()
    try source.bytes.prefix(400_000).write(to: URL(fileURLWithPath: inbox + "/movie (1).mkv.part"))
    try Data(marker.utf8).write(to: URL(fileURLWithPath: inbox + "/.movie (1).mkv.part.resume"))
    let events = Events()
    let setup = try await loop.submit {
      let sender = TransferEngine(loop: loop, settings: TransferSettings()) { events.append("sender", $0) }
      let receiver = TransferEngine(loop: loop, settings: TransferSettings(autoAcceptDirectory: inbox)) {
        events.append("receiver", $0)
      }
      let toReceiver = MemoryLink(loop: loop)
      let toSender = MemoryLink(loop: loop)
      toReceiver.deliver = { receiver.receive($0, from: toSender) }
      toSender.deliver = { sender.receive($0, from: toReceiver) }
      sender.offer(path: source.path, to: nil, announcing: "") { toReceiver }
      return NIOLoopBound((sender, receiver, toReceiver, toSender), eventLoop: loop)
    }.get()
    try await events.wait("the receiver's verified file") { all in
      all.contains { $0.0 == "receiver" && ($0.1.fileFinished?.outcome.isVerified ?? false) }
    }
    let started = events.all.compactMap { entry -> (String, UInt64)? in
      guard entry.0 == "receiver", case .started(let path, let at) = entry.1.fileUpdate else { return nil }
      return (path, at)
    }
    #expect(started.first?.0 == inbox + "/movie (1).mkv.part")
    #expect(started.first?.1 == 400_000)
    #expect(FileManager.default.contents(atPath: inbox + "/movie (1).mkv") == source.bytes)
    #expect(FileManager.default.contents(atPath: inbox + "/movie.mkv") == Data("someone else's movie".utf8))
    withExtendedLifetime(setup) {}
  }
}
