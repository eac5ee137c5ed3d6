import ChatEvents
import ChatNetwork
import ChatProtocol
import ChatRoom
import ChatTestSupport
import Crypto
import Foundation
import NIOCore
import NIOPosix
import Testing

/// Files between real endpoints over loopback: a connector and a listening host, two
/// members through a relay, the host to a member; refusals, cancels, hostile targets, and
/// a transfer cut again and again that still arrives whole.
@Suite("File transfer over loopback")
struct FileTransferTests {
  @Test(arguments: [0, 1, 131_072, 3_000_007])
  func aFileFromAConnectorArrivesWholeAndVerified(size: Int) async throws {
    let folder = try TemporaryFolder()
    let source = try folder.file("源文件 \(size).bin", size: size)
    let (listener, hostLog) = try await startListener(
      SessionOptions(name: "host", transfers: TransferSettings(autoAcceptDirectory: folder.path + "/in")))
    let (connector, bobLog) = connect(to: listener, SessionOptions(name: "bob"))
    connector.offerFile(path: source.path, to: nil)
    let sent = try await bobLog.first("bob's transfer ends", seconds: 30) { $0.fileFinished != nil }
    let received = try await hostLog.first("the host's transfer ends", seconds: 30) { $0.fileFinished != nil }
    let digest = SHA256.hash(data: source.bytes).map { String(format: "%02x", $0) }.joined()
    #expect(sent.fileFinished?.outcome == .verified(sha256: digest))
    #expect(received.fileFinished?.outcome == .verified(sha256: digest))
    let path = try #require(received.fileFinished?.path)
    #expect(path == folder.path + "/in/源文件 \(size).bin")
    #expect(FileManager.default.contents(atPath: path) == source.bytes)
    #expect(try folder.listing("in") == ["源文件 \(size).bin"], "no .part or marker left behind")
    let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    #expect(mode == 0o600)
    await connector.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// Forty files at once: the sender keeps to a few offers at a time, so the receiver's
  /// limit on offers waiting for an answer is never met.
  @Test func fortyFilesAtOnceAllArrive() async throws {
    let folder = try TemporaryFolder()
    let sources = try (0..<40).map { try folder.file("f\($0).txt", size: 100 + $0) }
    let (listener, _) = try await startListener(
      SessionOptions(name: "host", transfers: TransferSettings(autoAcceptDirectory: folder.path + "/in")))
    let (connector, bobLog) = connect(to: listener, SessionOptions(name: "bob"))
    for source in sources { connector.offerFile(path: source.path, to: nil) }
    let events = try await bobLog.wait("forty ends", seconds: 60) { events, _ in
      events.filter { $0.fileFinished != nil }.count == 40
    }
    let outcomes = events.compactMap { $0.fileFinished?.outcome }
    let failed = outcomes.filter { !$0.isVerified }
    #expect(failed.isEmpty, "\(failed)")
    let saved = try folder.listing("in")
    #expect(saved.count == 40)
    await connector.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func aFileBetweenTwoMembersPassesThroughTheRelay() async throws {
    let folder = try TemporaryFolder()
    let source = try folder.file("report.pdf", size: 2_500_000)
    let (relay, _) = try await startListener(SessionOptions(name: "relay"), host: false)
    let (carol, carolLog) = connect(
      to: relay, SessionOptions(name: "carol", transfers: TransferSettings(autoAcceptDirectory: folder.path + "/c")))
    try await carolLog.first("carol welcomed") { $0.roomEvent?.kind == .welcome }
    let (bob, bobLog) = connect(to: relay, SessionOptions(name: "bob"))
    try await bobLog.first("bob welcomed") { $0.roomEvent?.kind == .welcome }
    bob.offerFile(path: source.path, to: "carol")
    let offer = try await carolLog.first("the offer") { $0.fileUpdate == .offerReceived }
    #expect(offer.fileInfo?.peer == "bob", "the relay names the sender")
    let sent = try await bobLog.first("bob's transfer ends", seconds: 30) { $0.fileFinished != nil }
    #expect(sent.fileFinished?.outcome.isVerified == true)
    let received = try await carolLog.first("carol's transfer ends", seconds: 30) { $0.fileFinished != nil }
    #expect(FileManager.default.contents(atPath: try #require(received.fileFinished?.path)) == source.bytes)
    // An offer for no one there is refused, and the session goes on.
    bob.offerFile(path: source.path, to: "nobody")
    let refused = try await bobLog.first("the refusal") {
      if case .rejected = $0.fileFinished?.outcome { true } else { false }
    }
    #expect("\(refused.fileFinished!.outcome)".contains("no member named nobody"))
    bob.send("still here")
    try await carolLog.first("bob's message") { $0.receivedText == "still here" }
    // Offered before the connection is even up (as `chat --connect … --send F --to carol` does).
    let dan = ChatConnector.connect(
      to: HostAndPort(host: "127.0.0.1", port: relay.port), options: SessionOptions(name: "dan"),
      group: MultiThreadedEventLoopGroup.singleton)
    let danLog = collect(dan)
    dan.offerFile(path: source.path, to: "carol")
    let early = try await danLog.first("dan's transfer ends", seconds: 30) { $0.fileFinished != nil }
    #expect(early.fileFinished?.outcome.isVerified == true, "\(String(describing: early))")
    await dan.close(Goodbye(code: .userQuit, reason: ""))
    await bob.close(Goodbye(code: .userQuit, reason: ""))
    await carol.close(Goodbye(code: .userQuit, reason: ""))
    await relay.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// Through a relay, the receiver's connection drops: both sides hear the transfer ended
  /// (the receiver when it comes back), and sending the file again carries on from the
  /// receiver's `.part` file.
  @Test func aReceiverWhoDropsThroughARelayHearsWhyAndASecondSendCarriesOn() async throws {
    let folder = try TemporaryFolder()
    let source = try folder.file("data.bin", size: 4 << 20)
    let (relay, _) = try await startListener(SessionOptions(name: "relay"), host: false)
    let proxy = try await FaultProxy(
      targetPort: relay.port, cuts: 1, minimumBytesBeforeCut: 300_000, maximumBytesBeforeCut: 600_000, seed: 7)
    let carol = ChatConnector.connect(
      to: HostAndPort(host: "127.0.0.1", port: proxy.port),
      options: SessionOptions(
        name: "carol", transfers: TransferSettings(autoAcceptDirectory: folder.path + "/c", window: 32 << 10)),
      reconnect: ReconnectPolicy(initialDelay: 20_000_000, maximumDelay: 100_000_000),
      group: MultiThreadedEventLoopGroup.singleton)
    let carolLog = collect(carol)
    try await carolLog.first("carol welcomed") { $0.roomEvent?.kind == .welcome }
    let (bob, bobLog) = connect(to: relay, SessionOptions(name: "bob"))
    try await bobLog.first("bob welcomed") { $0.roomEvent?.kind == .welcome }
    bob.offerFile(path: source.path, to: "carol")
    let bobsEnd = try await bobLog.first("bob hears carol dropped", seconds: 30) { $0.fileFinished != nil }
    guard case .cancelled(let reason) = bobsEnd.fileFinished?.outcome else {
      Issue.record("not cancelled: \(String(describing: bobsEnd))")
      return
    }
    #expect(reason.contains("carol's connection is gone"), "\(reason)")
    let carolsEnd = try await carolLog.first("carol hears it ended", seconds: 30) { $0.fileFinished != nil }
    guard case .cancelled(let why) = carolsEnd.fileFinished?.outcome else {
      Issue.record("carol's transfer didn't end: \(String(describing: carolsEnd))")
      return
    }
    #expect(why.contains("your connection dropped"), "\(why)")
    bob.offerFile(path: source.path, to: "carol")
    let second = try await carolLog.wait("the second start") { events, _ in
      events.filter { if case .started = $0.fileUpdate { true } else { false } }.count == 2
    }.last { if case .started = $0.fileUpdate { true } else { false } }
    if case .started(_, let at) = second?.fileUpdate { #expect(at > 0, "it started over") }
    let done = try await carolLog.first("carol's file", seconds: 60) { $0.fileFinished?.outcome.isVerified == true }
    #expect(FileManager.default.contents(atPath: try #require(done.fileFinished?.path)) == source.bytes)
    await bob.close(Goodbye(code: .userQuit, reason: ""))
    await carol.close(Goodbye(code: .userQuit, reason: ""))
    await relay.close(Goodbye(code: .shuttingDown, reason: ""))
    await proxy.close()
  }

  /// A member who never answers can't make the relay hold more than a few transfers for it
  /// (each may bring a credit window of data into its queue).
  @Test func theRelayBoundsTheTransfersWaitingForOneMember() async throws {
    let folder = try TemporaryFolder()
    let sources = try (0..<5).map { try folder.file("f\($0).txt", size: 10 + $0) }
    let (relay, _) = try await startListener(SessionOptions(name: "relay"), host: false)
    let (carol, carolLog) = connect(to: relay, SessionOptions(name: "carol"))
    try await carolLog.first("carol welcomed") { $0.roomEvent?.kind == .welcome }
    let (bob, bobLog) = connect(to: relay, SessionOptions(name: "bob"))
    try await bobLog.first("bob welcomed") { $0.roomEvent?.kind == .welcome }
    for source in sources.prefix(3) { bob.offerFile(path: source.path, to: "carol") }
    try await carolLog.wait("three offers") { events, _ in
      events.filter { $0.fileUpdate == .offerReceived }.count == 3
    }
    bob.offerFile(path: sources[3].path, to: "carol")
    let refused = try await bobLog.first("the fourth is refused") {
      if case .rejected = $0.fileFinished?.outcome { true } else { false }
    }
    #expect("\(refused.fileFinished!.outcome)".contains("already receiving 3 files"))
    carol.rejectFile(try #require(await carolLog.entries.first { $0.fileUpdate == .offerReceived }?.fileInfo?.shortID))
    try await bobLog.first("carol's no") {
      if case .rejected(let reason) = $0.fileFinished?.outcome { reason == "declined" } else { false }
    }
    bob.offerFile(path: sources[4].path, to: "carol")
    try await carolLog.wait("a fourth offer once one ended") { events, _ in
      events.filter { $0.fileUpdate == .offerReceived }.count == 4
    }
    await bob.close(Goodbye(code: .userQuit, reason: ""))
    await carol.close(Goodbye(code: .userQuit, reason: ""))
    await relay.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// Offers a member never answers don't hold its places for ever.
  @Test func idleTransfersThroughTheRelayAreCancelledToMakeRoom() async throws {
    let folder = try TemporaryFolder()
    let sources = try (0..<4).map { try folder.file("g\($0).txt", size: 10 + $0) }
    var limits = RoomLimits()
    limits.fileRouteIdleLimit = 0.3
    let (relay, _) = try await startListener(SessionOptions(name: "relay"), limits: limits, host: false)
    let (gina, ginaLog) = connect(to: relay, SessionOptions(name: "gina"))
    try await ginaLog.first("gina welcomed") { $0.roomEvent?.kind == .welcome }
    let (bob, bobLog) = connect(to: relay, SessionOptions(name: "bob"))
    try await bobLog.first("bob welcomed") { $0.roomEvent?.kind == .welcome }
    for source in sources.prefix(3) { bob.offerFile(path: source.path, to: "gina") }
    try await ginaLog.wait("three offers") { events, _ in
      events.filter { $0.fileUpdate == .offerReceived }.count == 3
    }
    try await Task.sleep(for: .milliseconds(400))
    bob.offerFile(path: sources[3].path, to: "gina")
    try await ginaLog.wait("the fourth, once the idle ones are gone") { events, _ in
      events.filter { $0.fileUpdate == .offerReceived }.count == 4
    }
    let cancelled = try await bobLog.wait("the idle ones cancelled") { events, _ in
      events.filter { if case .cancelled = $0.fileFinished?.outcome { true } else { false } }.count == 3
    }
    #expect(cancelled.contains { "\($0.fileFinished?.outcome as Any)".contains("nothing moved") })
    await bob.close(Goodbye(code: .userQuit, reason: ""))
    await gina.close(Goodbye(code: .userQuit, reason: ""))
    await relay.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func theHostSendsToAMemberWhoAcceptsThenAnotherIsRejected() async throws {
    let folder = try TemporaryFolder()
    let source = try folder.file("photo.jpg", size: 400_000)
    let (listener, hostLog) = try await startListener(SessionOptions(name: "host"))
    let (bob, bobLog) = connect(to: listener, SessionOptions(name: "bob"))
    try await hostLog.first("bob joined") { $0.isRoom(.joined, "bob") }
    listener.offerFile(path: source.path, to: "bob")
    let offer = try await bobLog.first("the offer") { $0.fileUpdate == .offerReceived }
    #expect(offer.fileInfo?.peer == "host")
    bob.acceptFile(try #require(offer.fileInfo?.shortID), into: folder.path + "/bob")
    let received = try await bobLog.first("bob's transfer ends", seconds: 30) { $0.fileFinished != nil }
    #expect(FileManager.default.contents(atPath: try #require(received.fileFinished?.path)) == source.bytes)
    try await hostLog.first("the host's transfer ends") { $0.fileFinished?.outcome.isVerified == true }

    listener.offerFile(path: source.path, to: nil)  // the only member: bob
    let second = try await bobLog.wait("a second offer") { events, _ in
      events.filter { $0.fileUpdate == .offerReceived }.count == 2
    }.last { $0.fileUpdate == .offerReceived }
    bob.rejectFile(try #require(second?.fileInfo?.shortID))
    let rejected = try await hostLog.first("the host hears no") {
      if case .rejected = $0.fileFinished?.outcome { true } else { false }
    }
    #expect(rejected.fileInfo?.name == "photo.jpg")
    await bob.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func anExistingFileAndASymlinkAtTheTargetAreLeftAlone() async throws {
    let folder = try TemporaryFolder()
    let source = try folder.file("notes.txt", size: 1000)
    try FileManager.default.createDirectory(atPath: folder.path + "/in", withIntermediateDirectories: true)
    try Data("mine".utf8).write(to: URL(fileURLWithPath: folder.path + "/in/notes.txt"))
    try Data("secret".utf8).write(to: URL(fileURLWithPath: folder.path + "/victim"))
    try FileManager.default.createSymbolicLink(
      atPath: folder.path + "/in/notes (1).txt.part", withDestinationPath: folder.path + "/victim")
    let (listener, hostLog) = try await startListener(
      SessionOptions(name: "host", transfers: TransferSettings(autoAcceptDirectory: folder.path + "/in")))
    let (connector, _) = connect(to: listener, SessionOptions(name: "bob"))
    connector.offerFile(path: source.path, to: nil)
    let received = try await hostLog.first("the transfer ends", seconds: 30) { $0.fileFinished != nil }
    #expect(received.fileFinished?.outcome.isVerified == true)
    #expect(received.fileFinished?.path == folder.path + "/in/notes (2).txt")
    #expect(FileManager.default.contents(atPath: folder.path + "/in/notes.txt") == Data("mine".utf8))
    #expect(FileManager.default.contents(atPath: folder.path + "/victim") == Data("secret".utf8))
    await connector.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func tooLargeAnOfferIsRejectedAndTheSenderHearsWhy() async throws {
    let folder = try TemporaryFolder()
    let source = try folder.file("big.bin", size: 10_000)
    let (listener, _) = try await startListener(
      SessionOptions(
        name: "host",
        transfers: TransferSettings(autoAcceptDirectory: folder.path + "/in", maximumFileSize: 9_999)))
    let (connector, bobLog) = connect(to: listener, SessionOptions(name: "bob"))
    connector.offerFile(path: source.path, to: nil)
    let end = try await bobLog.first("the refusal") { $0.fileFinished != nil }
    guard case .rejected(let reason) = end.fileFinished?.outcome else {
      Issue.record("not rejected: \(String(describing: end))")
      return
    }
    #expect(reason.contains("--max-file-size"))
    await connector.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func theReceiverCancelsMidwayAndThePartFileStays() async throws {
    let folder = try TemporaryFolder()
    let source = try folder.file("movie.mkv", size: 32 << 20)
    // A small window: a few thousand round trips, so the cancel lands well before the end.
    let (listener, hostLog) = try await startListener(
      SessionOptions(
        name: "host", transfers: TransferSettings(autoAcceptDirectory: folder.path + "/in", window: 1 << 10)))
    let (connector, bobLog) = connect(to: listener, SessionOptions(name: "bob"))
    connector.offerFile(path: source.path, to: nil)
    let started = try await hostLog.first("the start") {
      if case .started = $0.fileUpdate { true } else { false }
    }
    listener.cancelFile(try #require(started.fileInfo?.shortID))
    let end = try await bobLog.first("bob hears of it", seconds: 30) { $0.fileFinished != nil }
    guard case .cancelled = end.fileFinished?.outcome else {
      Issue.record("not cancelled: \(String(describing: end))")
      return
    }
    let hostEnd = try await hostLog.first("the host's end") { $0.fileFinished != nil }
    #expect(hostEnd.fileFinished?.path == folder.path + "/in/movie.mkv.part")
    await connector.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// A folder typed wrong in `/accept ID DIR` leaves the offer waiting for another try.
  @Test func anAcceptIntoABadFolderLeavesTheOfferForAnotherTry() async throws {
    let folder = try TemporaryFolder()
    let source = try folder.file("hello.txt", size: 100)
    try Data("a file".utf8).write(to: URL(fileURLWithPath: folder.path + "/afile"))
    let (listener, hostLog) = try await startListener(SessionOptions(name: "host"))
    let (connector, bobLog) = connect(to: listener, SessionOptions(name: "bob"))
    connector.offerFile(path: source.path, to: nil)
    let offer = try await hostLog.first("the offer") { $0.fileUpdate == .offerReceived }
    let id = try #require(offer.fileInfo?.shortID)
    listener.acceptFile(id, into: folder.path + "/afile")
    try await hostLog.first("the warning") {
      if case .warning(let text) = $0 { text.contains("not a folder") && text.contains("still waits") } else { false }
    }
    listener.acceptFile(id, into: folder.path + "/good")
    let done = try await bobLog.first("bob's end", seconds: 30) { $0.fileFinished != nil }
    #expect(done.fileFinished?.outcome.isVerified == true)
    await connector.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  @Test func theSenderCancelsMidwayAndTheReceiverHearsWhy() async throws {
    let folder = try TemporaryFolder()
    let source = try folder.file("backup.tar", size: 32 << 20)
    let (listener, hostLog) = try await startListener(
      SessionOptions(
        name: "host", transfers: TransferSettings(autoAcceptDirectory: folder.path + "/in", window: 1 << 10)))
    let (connector, bobLog) = connect(to: listener, SessionOptions(name: "bob"))
    connector.offerFile(path: source.path, to: nil)
    let started = try await bobLog.first("the start") {
      if case .started = $0.fileUpdate { true } else { false }
    }
    connector.cancelFile(try #require(started.fileInfo?.shortID))
    let mine = try await bobLog.first("bob's end") { $0.fileFinished != nil }
    #expect(mine.fileFinished?.outcome == .cancelled(reason: "you cancelled it"))
    let theirs = try await hostLog.first("the host's end", seconds: 30) { $0.fileFinished != nil }
    #expect(theirs.fileFinished?.outcome == .cancelled(reason: "cancelled by the sender"))
    #expect(theirs.fileFinished?.path == folder.path + "/in/backup.tar.part")
    connector.send("after the cancel")
    try await hostLog.first("the session goes on") { $0.receivedText == "after the cancel" }
    await connector.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
  }

  /// The proxy cuts the connection again and again mid-transfer; the session resumes each
  /// time and the transfer carries on from what is on disk, until the file is whole.
  @Test func aTransferCutAgainAndAgainCarriesOnToAWholeFile() async throws {
    let folder = try TemporaryFolder()
    let source = try folder.file("archive.tar", size: 6_000_000)
    let (listener, hostLog) = try await startListener(
      SessionOptions(name: "host", transfers: TransferSettings(autoAcceptDirectory: folder.path + "/in")))
    let proxy = try await FaultProxy(
      targetPort: listener.port, cuts: 4, minimumBytesBeforeCut: 200_000, maximumBytesBeforeCut: 1_500_000, seed: 14)
    let connector = ChatConnector.connect(
      to: HostAndPort(host: "127.0.0.1", port: proxy.port), options: SessionOptions(name: "bob"),
      reconnect: ReconnectPolicy(initialDelay: 20_000_000, maximumDelay: 100_000_000),
      group: MultiThreadedEventLoopGroup.singleton)
    let bobLog = collect(connector)
    connector.offerFile(path: source.path, to: nil)
    let sent = try await bobLog.first("bob's transfer ends", seconds: 60) { $0.fileFinished != nil }
    #expect(sent.fileFinished?.outcome.isVerified == true, "\(String(describing: sent))")
    let received = try await hostLog.first("the host's end", seconds: 30) { $0.fileFinished != nil }
    #expect(FileManager.default.contents(atPath: try #require(received.fileFinished?.path)) == source.bytes)
    #expect(proxy.cutsMade >= 2, "the proxy cut too little to test anything")
    let resumed = await hostLog.entries.filter {
      if case .started(_, let at) = $0.fileUpdate { at > 0 } else { false }
    }
    #expect(!resumed.isEmpty, "no start carried on after bytes already received")
    await connector.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
    await proxy.close()
  }

  /// Through a relay, the sender's connection is cut again and again: each time it comes
  /// back it offers the file again, and the receiver carries on from its `.part` file.
  @Test func aSenderCutThroughARelayCarriesOnByItself() async throws {
    let folder = try TemporaryFolder()
    let source = try folder.file("relayed.tar", size: 6_000_000)
    let (relay, _) = try await startListener(SessionOptions(name: "relay"), host: false)
    let (carol, carolLog) = connect(
      to: relay, SessionOptions(name: "carol", transfers: TransferSettings(autoAcceptDirectory: folder.path + "/c")))
    try await carolLog.first("carol welcomed") { $0.roomEvent?.kind == .welcome }
    let proxy = try await FaultProxy(
      targetPort: relay.port, cuts: 3, minimumBytesBeforeCut: 300_000, maximumBytesBeforeCut: 1_500_000, seed: 41)
    let bob = ChatConnector.connect(
      to: HostAndPort(host: "127.0.0.1", port: proxy.port), options: SessionOptions(name: "bob"),
      reconnect: ReconnectPolicy(initialDelay: 20_000_000, maximumDelay: 100_000_000),
      group: MultiThreadedEventLoopGroup.singleton)
    let bobLog = collect(bob)
    try await bobLog.first("bob welcomed") { $0.roomEvent?.kind == .welcome }
    bob.offerFile(path: source.path, to: "carol")
    let sent = try await bobLog.first("bob's transfer ends", seconds: 60) { $0.fileFinished != nil }
    #expect(sent.fileFinished?.outcome.isVerified == true, "\(String(describing: sent))")
    let received = try await carolLog.first("carol's file", seconds: 30) { $0.fileFinished?.outcome.isVerified == true }
    #expect(FileManager.default.contents(atPath: try #require(received.fileFinished?.path)) == source.bytes)
    #expect(proxy.cutsMade >= 1, "the proxy cut too little to test anything")
    let resumed = await carolLog.entries.filter {
      if case .started(_, let at) = $0.fileUpdate { at > 0 } else { false }
    }
    #expect(!resumed.isEmpty, "no start carried on after bytes already received")
    await bob.close(Goodbye(code: .userQuit, reason: ""))
    await carol.close(Goodbye(code: .userQuit, reason: ""))
    await relay.close(Goodbye(code: .shuttingDown, reason: ""))
    await proxy.close()
  }

  /// The sender's connection is cut and it never comes back: once the room gives up its
  /// place, the host's transfer from it ends (the `.part` file stays for a later offer of
  /// the same file) instead of waiting for ever.
  @Test func aTransferFromAMemberWhoNeverComesBackEnds() async throws {
    let folder = try TemporaryFolder()
    let source = try folder.file("gone.bin", size: 6_000_000)
    var limits = RoomLimits()
    limits.awayGrace = 0.5
    let (listener, hostLog) = try await startListener(
      SessionOptions(name: "host", transfers: TransferSettings(autoAcceptDirectory: folder.path + "/in")),
      limits: limits)
    let proxy = try await FaultProxy(
      targetPort: listener.port, cuts: 1, minimumBytesBeforeCut: 500_000, maximumBytesBeforeCut: 1_000_000, seed: 7)
    let connector = ChatConnector.connect(
      to: HostAndPort(host: "127.0.0.1", port: proxy.port), options: SessionOptions(name: "bob"), reconnect: .never,
      group: MultiThreadedEventLoopGroup.singleton)
    connector.offerFile(path: source.path, to: nil)
    try await hostLog.first("the transfer waits", seconds: 30) {
      if case .interrupted = $0.fileUpdate { true } else { false }
    }
    let ended = try await hostLog.first("the host's end", seconds: 30) { $0.fileFinished != nil }
    #expect(ended.fileFinished?.outcome == .failed(reason: "bob did not come back"))
    #expect(ended.fileFinished?.path == folder.path + "/in/gone.bin.part")
    #expect(try folder.listing("in").contains("gone.bin.part"))
    await connector.close(Goodbye(code: .userQuit, reason: ""))
    await listener.close(Goodbye(code: .shuttingDown, reason: ""))
    await proxy.close()
  }
}

/// A folder of its own under the temporary directory, removed at the end.
final class TemporaryFolder: Sendable {
  let path: String

  init() throws {
    path = FileManager.default.temporaryDirectory.appendingPathComponent("chat-files-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  /// A file of `size` random bytes.
  func file(_ name: String, size: Int) throws -> (path: String, bytes: Data) {
    var generator = SystemRandomNumberGenerator()
    let words = (0..<(size + 7) / 8).map { _ in generator.next() as UInt64 }
    let bytes = words.withUnsafeBytes { Data($0.prefix(size)) }
    let path = self.path + "/" + name
    try bytes.write(to: URL(fileURLWithPath: path))
    return (path, bytes)
  }

  /// The names in a subfolder, hidden ones included, sorted.
  func listing(_ folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: path + "/" + folder).sorted()
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }
}

extension SessionEvent {
  var fileInfo: FileTransferInfo? { if case .file(let info, _) = self { info } else { nil } }
  var fileUpdate: FileTransferUpdate? { if case .file(_, let update) = self { update } else { nil } }
  var fileFinished: (outcome: TransferOutcome, path: String?)? {
    if case .file(_, .finished(let outcome, let path)) = self { (outcome, path) } else { nil }
  }
}
