import ChatScreen
import Testing

@Suite("Typed lines: the file commands")
struct FileCommandTests {
  let members: Set<String> = ["bob", "卡罗尔"]

  func parse(_ line: String) -> TypedLine {
    TypedLine(line, members: members, home: "/home/ann")
  }

  @Test func sendTakesAPathWithSpacesWhenTheFirstWordIsNoMember() {
    #expect(parse("/send notes.txt") == .sendFile(path: "notes.txt", to: nil))
    #expect(parse("/send my notes.txt") == .sendFile(path: "my notes.txt", to: nil))
    #expect(parse("/SEND   /tmp/a b  ") == .sendFile(path: "/tmp/a b", to: nil))
  }

  @Test func sendTakesAMemberNameFirst() {
    #expect(parse("/send bob notes.txt") == .sendFile(path: "notes.txt", to: "bob"))
    #expect(parse("/send 卡罗尔 报告 最终.pdf") == .sendFile(path: "报告 最终.pdf", to: "卡罗尔"))
    // A name alone is a path: there is nothing after it.
    #expect(parse("/send bob") == .sendFile(path: "bob", to: nil))
    // A name not seen in the room, before a quoted path, is a name all the same.
    #expect(parse("/send dave \"a b.txt\"") == .sendFile(path: "a b.txt", to: "dave"))
  }

  @Test func quotesKeepAPathWhoseFirstWordIsAName() {
    #expect(parse("/send \"bob notes.txt\"") == .sendFile(path: "bob notes.txt", to: nil))
    #expect(parse("/send bob \"bob notes.txt\"") == .sendFile(path: "bob notes.txt", to: "bob"))
  }

  @Test func tildeIsHome() {
    #expect(parse("/send ~/a.txt") == .sendFile(path: "/home/ann/a.txt", to: nil))
    #expect(parse("/send bob \"~/x y\"") == .sendFile(path: "/home/ann/x y", to: "bob"))
    #expect(parse("/send ~bob/a") == .sendFile(path: "~bob/a", to: nil), "only ~ and ~/ are expanded")
    #expect(parse("/accept 3f2a ~") == .acceptFile(id: "3f2a", directory: "/home/ann"))
    #expect(TypedLine("/send ~/a", home: nil) == .sendFile(path: "~/a", to: nil))
  }

  @Test func wrongSendsAreUsageErrors() {
    #expect(parse("/send") == .usage(TypedLine.sendUsage))
    #expect(parse("/send   ") == .usage(TypedLine.sendUsage))
    #expect(parse("/send \"unclosed") == .usage(TypedLine.sendUsage))
    #expect(parse("/send \"a\" b") == .usage(TypedLine.sendUsage))
    #expect(parse("/send \"\"") == .usage(TypedLine.sendUsage))
    #expect(parse("/send bob \"\"") == .usage(TypedLine.sendUsage))
  }

  @Test func acceptRejectCancelFiles() {
    #expect(parse("/accept") == .acceptFile(id: "", directory: nil))
    #expect(parse("/accept 3f2a91c0") == .acceptFile(id: "3f2a91c0", directory: nil))
    #expect(parse("/accept 3f /tmp/My Files") == .acceptFile(id: "3f", directory: "/tmp/My Files"))
    #expect(parse("/accept 3f \"/tmp/x\"") == .acceptFile(id: "3f", directory: "/tmp/x"))
    #expect(parse("/accept /tmp") == .usage(TypedLine.acceptUsage), "the id comes first")
    #expect(parse("/accept 3f \"/tmp") == .usage(TypedLine.acceptUsage))
    #expect(parse("/reject") == .rejectFile(id: ""))
    #expect(parse("/reject 3F2A") == .rejectFile(id: "3F2A"))
    #expect(parse("/reject 3f2a because") == .usage(TypedLine.rejectUsage))
    #expect(parse("/cancel 3f2a") == .cancelFile(id: "3f2a"))
    #expect(parse("/cancel") == .usage(TypedLine.cancelUsage))
    #expect(parse("/cancel zz") == .usage(TypedLine.cancelUsage))
    #expect(parse("/files") == .files)
    #expect(parse("/files all") == .usage(TypedLine.filesUsage))
  }
}

@Suite("Tab completion of paths")
struct PathCompletionTests {
  let tree: [String: [PathEntry]] = [
    ".": [
      PathEntry(name: "报告一.pdf", isDirectory: false), PathEntry(name: "报告二.pdf", isDirectory: false),
      PathEntry(name: "notes.txt", isDirectory: false), PathEntry(name: "Downloads", isDirectory: true),
      PathEntry(name: ".hidden", isDirectory: false), PathEntry(name: "bob notes", isDirectory: false),
    ],
    "/home/ann/": [PathEntry(name: "Documents", isDirectory: true), PathEntry(name: "doc.txt", isDirectory: false)],
    "Downloads/": [PathEntry(name: "a.bin", isDirectory: false)],
    "/tmp/": (0..<30).map { PathEntry(name: "f\($0)", isDirectory: false) },
  ]

  func complete(_ text: String) -> PathCompletion.Result {
    PathCompletion.complete(text, members: ["bob"], home: "/home/ann") { tree[$0] }
  }

  @Test func aSingleMatchCompletesWholly() {
    #expect(complete("/send no") == .completed("/send notes.txt"))
    #expect(complete("/send Dow") == .completed("/send Downloads/"))
    #expect(complete("/send Downloads/") == .completed("/send Downloads/a.bin"))
    #expect(complete("/send bob no") == .completed("/send bob notes.txt"))
    #expect(complete("/send \"no") == .completed("/send \"notes.txt\""), "an opened quote is closed")
    #expect(complete("/send ~") == .completed("/send ~/"))
    #expect(complete("/send ~/Doc") == .completed("/send ~/Documents/"))
    #expect(complete("/send .h") == .completed("/send .hidden"))
  }

  @Test func severalMatchesCompleteTheirCommonPrefixThenList() {
    #expect(complete("/send 报") == .completed("/send 报告"))
    #expect(complete("/send 报告") == .ambiguous(["报告一.pdf", "报告二.pdf"]))
    #expect(complete("/send ~/do") == .completed("/send ~/doc.txt"), "prefixes are case-sensitive")
    #expect(complete("/send ~/D") == .completed("/send ~/Documents/"))
    // Hidden names are left out unless the prefix starts with a dot.
    #expect(complete("/send ") == .ambiguous(["Downloads/", "bob notes", "notes.txt", "报告一.pdf", "报告二.pdf"]))
  }

  @Test func acceptCompletesDirectoriesOnly() {
    #expect(complete("/accept 3f2a ") == .completed("/accept 3f2a Downloads/"))
    #expect(complete("/accept 3f2a ~/") == .completed("/accept 3f2a ~/Documents/"))
    #expect(complete("/accept 3f2a") == .none, "the id is not a path")
  }

  @Test func nothingOutsideTheFileCommands() {
    #expect(complete("no") == .none)
    #expect(complete("/who no") == .none)
    #expect(complete("/send zzz") == .none)
    #expect(complete("/send /nowhere/x") == .none)
  }

  @Test func aListingIsBounded() {
    guard case .ambiguous(let all) = complete("/send /tmp/f") else {
      Issue.record("expected candidates")
      return
    }
    #expect(all.count == 30)
    let line = PathCompletion.listing(all)
    #expect(line.hasPrefix("30 matches: f0  f1  f10"))
    #expect(line.hasSuffix("… and 10 more"))
    #expect(!PathCompletion.listing(["a", "b"]).contains("more"))
  }
}
