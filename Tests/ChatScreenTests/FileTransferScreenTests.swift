import ChatEvents
import ChatProtocol
import ChatScreen
import Testing

@Suite("Screen model: file transfers")
struct FileTransferScreenTests {
  let id = TransferID(bytes: [0x3f, 0x2a, 0x91, 0xc0] + Array(repeating: 7, count: 12))!
  let other = TransferID(bytes: [0xab, 0xcd, 0x00, 0x01] + Array(repeating: 9, count: 12))!

  func connected() -> ScreenModel {
    var model = ScreenModel(localName: "bob")
    model.apply(.connecting(to: "h:1"), time: "t")
    model.apply(
      .established(
        peer: PeerIdentity(name: "alice", maximumPayloadLength: 1 << 20), auth: .authenticated, address: "h:1"),
      time: "t")
    _ = model.layout(width: 100, height: 20)
    return model
  }

  func incoming(_ id: TransferID, name: String = "报告.pdf", size: UInt64 = 10 << 20) -> FileTransferInfo {
    FileTransferInfo(id: id, name: name, size: size, peer: "alice", direction: .incoming)
  }

  func submit(_ text: String, into model: inout ScreenModel) -> [ScreenCommand] {
    _ = model.handle(.text(text), time: "t")
    return model.handle(.enter, time: "t")
  }

  func screen(_ model: inout ScreenModel, width: Int = 100) -> String {
    model.layout(width: width, height: 20).text
  }

  func statusRow(_ model: inout ScreenModel, width: Int) -> String {
    let layout = model.layout(width: width, height: 20)
    return layout.rows[layout.statusRow!].text
  }

  @Test func anOfferSaysWhoWhatHowBigAndWhatToType() {
    var model = connected()
    model.apply(.file(incoming(id), .offerReceived), time: "t")
    let text = screen(&model, width: 200)
    #expect(
      text.contains("alice offers 报告.pdf (10.0 MiB) [3f2a91c0]: type /accept 3f2a91c0 to save it in the current folder")
    )
    #expect(text.contains("/reject 3f2a91c0"))
    #expect(model.status.transfers == "⇅ 1 offer: /accept")
  }

  @Test func progressUpdatesOneLineInPlace() {
    var model = connected()
    model.apply(.file(incoming(id), .offerReceived), time: "t")
    model.apply(.file(incoming(id), .started(path: "/d/报告.pdf", resumedAt: 0)), time: "t")
    let before = model.scrollback.count
    model.apply(.file(incoming(id), .progress(bytes: 1 << 20, bytesPerSecond: 1 * 1_048_576)), time: "t")
    model.apply(
      .messageReceived(from: "alice", message: TextMessage(sequence: 1, text: "meanwhile"), textBytes: 9, wireBytes: 9),
      time: "t")
    model.apply(.file(incoming(id), .progress(bytes: 5 << 20, bytesPerSecond: 2 * 1_048_576)), time: "t")
    #expect(model.scrollback.count == before + 1, "only the message was added")
    let text = screen(&model, width: 120)
    #expect(text.contains("↓ 报告.pdf [3f2a91c0] from alice: 50% 5.0 MiB/10.0 MiB, 2.0 MiB/s, ETA 0:03"))
    #expect(!text.contains("10%"), "the earlier progress is gone")
    model.apply(
      .file(incoming(id), .finished(.verified(sha256: String(repeating: "ab", count: 32)), path: "/d/报告.pdf")),
      time: "t")
    let done = screen(&model, width: 120)
    #expect(done.contains("↓ 报告.pdf [3f2a91c0] from alice: done, 10.0 MiB"))
    #expect(done.contains("报告.pdf [3f2a91c0] received, 10.0 MiB, SHA-256 verified abababababababab… → /d/报告.pdf"))
    #expect(model.status.transfers == nil)
  }

  @Test func theStatusBarSumsRunningTransfersAndDropsThemFirstWhenNarrow() {
    var model = connected()
    model.apply(.file(incoming(id), .started(path: "/d/a", resumedAt: 0)), time: "t")
    model.apply(.file(incoming(other, name: "b", size: 10 << 20), .started(path: "/d/b", resumedAt: 0)), time: "t")
    model.apply(.file(incoming(id), .progress(bytes: 6 << 20, bytesPerSecond: 3 * 1_048_576)), time: "t")
    model.apply(
      .file(incoming(other, name: "b", size: 10 << 20), .progress(bytes: 2 << 20, bytesPerSecond: 1 * 1_048_576)),
      time: "t")
    // 8 MiB of 20 at 4 MiB/s: 40%, 3 s left.
    #expect(model.status.transfers == "⇅ 2 files 40% 4.0 MiB/s ETA 0:03")
    #expect(statusRow(&model, width: 140).contains("⇅ 2 files 40% 4.0 MiB/s ETA 0:03"))
    // At an ordinary width the summary takes the round trip's place (a stranger at 100
    // columns never saw it while the round trip stayed).
    model.apply(.roundTrip(nanoseconds: 720_000), time: "t")
    let ordinary = statusRow(&model, width: 100)
    #expect(ordinary.contains("⇅ 2 files 40%"), "\(ordinary)")
    #expect(!ordinary.contains("rtt"))
    let narrow = statusRow(&model, width: 70)
    #expect(!narrow.contains("⇅"), "the summary goes before the key's state")
    #expect(narrow.contains("authenticated"))
    #expect(DisplayWidth.of(narrow) <= 70)
    model.apply(.file(incoming(id), .interrupted(reason: "the connection closed")), time: "t")
    #expect(model.status.transfers == "⇅ 2 files 40% 1.0 MiB/s ETA 0:12")
    model.apply(
      .file(incoming(other, name: "b", size: 10 << 20), .finished(.cancelled(reason: "by you"), path: nil)), time: "t")
    #expect(model.status.transfers == "⇅ 1 file 60% paused")
    #expect(screen(&model, width: 120).contains("b [abcd0001] from alice: stopped at 20% (cancelled)"))
  }

  /// Every byte in, the hash checked and the file flushed and named: a big file takes a
  /// moment, and the line says so rather than sitting at 100%.
  @Test func aFileWhoseBytesAreAllInSaysItIsSaving() {
    var model = connected()
    let info = incoming(id, size: 2 << 20)
    model.apply(.file(info, .started(path: "/d/a.part", resumedAt: 0)), time: "t")
    model.apply(.file(info, .progress(bytes: 2 << 20, bytesPerSecond: 1_048_576)), time: "t")
    #expect(screen(&model, width: 120).contains("all 2.0 MiB in, saving…"))
    model.apply(.file(info, .finished(.verified(sha256: "ab"), path: "/d/报告.pdf")), time: "t")
    #expect(!screen(&model, width: 120).contains("saving…"))
  }

  @Test func aLongChineseNameWrapsWithinTheWidth() {
    var model = connected()
    let info = incoming(id, name: String(repeating: "文件名", count: 12) + ".txt")
    model.apply(.file(info, .started(path: "/d/x", resumedAt: 0)), time: "12:00:00")
    model.apply(.file(info, .progress(bytes: 1 << 20, bytesPerSecond: 1_048_576)), time: "12:00:00")
    for width in [31, 40, 57, 80] {
      let layout = model.layout(width: width, height: 20)
      #expect(layout.rows.allSatisfy { DisplayWidth.of($0.text) <= width }, "width \(width)")
      let text = layout.rows.map(\.text).joined()
      #expect(text.contains("10%") && text.contains("0:09"), "width \(width)")
    }
  }

  @Test func etaAndSpeedFormats() {
    #expect(FileTransferState.duration(21) == "0:21")
    #expect(FileTransferState.duration(20.2) == "0:21", "rounded up")
    #expect(FileTransferState.duration(3725) == "1:02:05")
    #expect(FileTransferState.duration(.infinity) == "0:00")
    #expect(FileTransferState.speed(12.5 * 1_048_576) == "12.5 MiB/s")
  }

  @Test func commandsGoToTheEndpointAndWrongOnesOnlyExplain() {
    var model = connected()
    model.apply(.room(RoomEvent(kind: .joined, participantCount: 3, name: "carol", detail: "")), time: "t")
    #expect(submit("/send carol a b.txt", into: &model) == [.offerFile(path: "a b.txt", to: "carol")])
    #expect(submit("/send dan b.txt", into: &model) == [.offerFile(path: "dan b.txt", to: nil)])
    #expect(submit("/accept", into: &model) == [.acceptFile(id: "", directory: nil)])
    #expect(submit("/accept 3f2a /tmp", into: &model) == [.acceptFile(id: "3f2a", directory: "/tmp")])
    #expect(submit("/reject", into: &model) == [.rejectFile(id: "")])
    #expect(submit("/cancel 3f", into: &model) == [.cancelFile(id: "3f")])
    #expect(submit("/cancel", into: &model).isEmpty)
    #expect(screen(&model).contains("!! usage: /cancel ID"))
    model.apply(.room(RoomEvent(kind: .left, participantCount: 2, name: "carol", detail: "quit")), time: "t")
    #expect(submit("/send carol a", into: &model) == [.offerFile(path: "carol a", to: nil)], "carol left")
    model.filesSupported = false
    #expect(submit("/send x", into: &model).isEmpty)
    #expect(screen(&model).contains("file transfer is not available on this connection"))
  }

  @Test func aFirstWordNotSeenAsAMemberIsANameWhenOnlyTheRestExists() {
    var model = connected()
    model.homeDirectory = "/home/bob"
    model.listDirectory = { path in
      switch path {
      case ".": [PathEntry(name: "notes.txt", isDirectory: false), PathEntry(name: "my notes.txt", isDirectory: false)]
      case "/home/bob": [PathEntry(name: "a b", isDirectory: false)]
      default: nil
      }
    }
    #expect(submit("/send carol notes.txt", into: &model) == [.offerFile(path: "notes.txt", to: "carol")])
    #expect(submit("/send my notes.txt", into: &model) == [.offerFile(path: "my notes.txt", to: nil)])
    #expect(submit("/send dan ~/a b", into: &model) == [.offerFile(path: "/home/bob/a b", to: "dan")])
    #expect(submit("/send dan gone.txt", into: &model) == [.offerFile(path: "dan gone.txt", to: nil)])
    #expect(submit("/send /nowhere/x y", into: &model) == [.offerFile(path: "/nowhere/x y", to: nil)])
  }

  @Test func filesListsEachTransfer() {
    var model = connected()
    #expect(submit("/files", into: &model).isEmpty)
    #expect(screen(&model).contains("no file transfers yet"))
    model.apply(.file(incoming(id), .offerReceived), time: "t")
    let out = FileTransferInfo(id: other, name: "notes.txt", size: 2048, peer: "", direction: .outgoing)
    model.apply(.file(out, .started(path: "/x/notes.txt", resumedAt: 0)), time: "t")
    model.apply(.file(out, .progress(bytes: 1024, bytesPerSecond: 512)), time: "t")
    _ = submit("/files", into: &model)
    let text = screen(&model, width: 120)
    #expect(text.contains("file transfers (2):"))
    #expect(text.contains("↓ 报告.pdf [3f2a91c0] from alice: 10.0 MiB: /accept 3f2a91c0 [DIR] or /reject 3f2a91c0"))
    #expect(text.contains("↑ notes.txt [abcd0001]: 50% 1.0 KiB/2.0 KiB, 512 B/s, ETA 0:02"))
  }

  @Test func tabCompletesAndASecondTabLists() {
    var model = connected()
    model.listDirectory = { path in
      path == "."
        ? [PathEntry(name: "报告一.pdf", isDirectory: false), PathEntry(name: "报告二.pdf", isDirectory: false)] : nil
    }
    _ = model.handle(.text("/send 报"), time: "t")
    _ = model.handle(.tab, time: "t")
    #expect(model.input.text == "/send 报告")
    let before = model.scrollback.count
    _ = model.handle(.tab, time: "t")
    #expect(model.scrollback.count == before, "the first Tab with nothing to add lists nothing")
    _ = model.handle(.tab, time: "t")
    #expect(screen(&model).contains("2 matches: 报告一.pdf  报告二.pdf"))
    _ = model.handle(.text("二"), time: "t")
    _ = model.handle(.tab, time: "t")
    #expect(model.input.text == "/send 报告二.pdf")
    // The input line shows it with the cursor after the wide characters.
    let layout = model.layout(width: 100, height: 20)
    #expect(layout.cursorColumn == 2 + 6 + 3 * 2 + 4)
    // In a message, Tab is typed as before.
    var chatting = connected()
    _ = chatting.handle(.text("a"), time: "t")
    _ = chatting.handle(.tab, time: "t")
    #expect(chatting.input.text == "a\t")
  }
}
