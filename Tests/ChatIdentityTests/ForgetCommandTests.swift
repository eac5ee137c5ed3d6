import ChatIdentity
import Foundation
import Testing

@Suite("forget-key hint")
struct ForgetCommandTests {
  @Test("the hint is the exact command, the argument single-quoted")
  func plainHints() {
    #expect(
      KnownPeers.forgetCommandHint(kind: .address, subject: "127.0.0.1:9090")
        == "chat --forget-key 'address 127.0.0.1:9090'")
    #expect(
      KnownPeers.forgetCommandHint(kind: .address, subject: "[::1]:9090") == "chat --forget-key 'address [::1]:9090'")
    #expect(KnownPeers.forgetCommandHint(kind: .name, subject: "bob") == "chat --forget-key 'name bob'")
  }

  @Test("a single quote in a name is written '\\''")
  func quoteInName() {
    #expect(KnownPeers.forgetCommandHint(kind: .name, subject: "o'brien") == #"chat --forget-key 'name o'\''brien'"#)
    #expect(KnownPeers.forgetCommandHint(kind: .name, subject: "'") == #"chat --forget-key 'name '\'''"#)
  }

  @Test(
    "a POSIX shell reads the quoted argument back exactly",
    arguments: ["o'brien", "名字 with space", "$HOME `id` \"x\" \\n ;|&", "'\u{301}combining after a quote", "'' two"]
  )
  func shellReadsItBack(name: String) throws {
    let hint = KnownPeers.forgetCommandHint(kind: .name, subject: name)
    let argument = String(hint.dropFirst("chat --forget-key ".count))
    let shell = Process()
    shell.executableURL = URL(fileURLWithPath: "/bin/sh")
    shell.arguments = ["-c", "printf '%s' " + argument]
    let output = Pipe()
    shell.standardOutput = output
    try shell.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    shell.waitUntilExit()
    #expect(shell.terminationStatus == 0)
    #expect(String(decoding: data, as: UTF8.self) == "name " + name)
    let target = KnownPeers.forgetTarget(parsing: "name " + name)
    #expect(target?.kind == .name)
    #expect(target?.subject == name)
  }

  @Test("--forget-key's argument is read back into kind and subject")
  func parsing() {
    #expect(KnownPeers.forgetTarget(parsing: "address 127.0.0.1:9090")?.kind == .address)
    #expect(KnownPeers.forgetTarget(parsing: "address 127.0.0.1:9090")?.subject == "127.0.0.1:9090")
    #expect(KnownPeers.forgetTarget(parsing: "name 名字 with space")?.subject == "名字 with space")
    #expect(KnownPeers.forgetTarget(parsing: "name ") == nil)
    #expect(KnownPeers.forgetTarget(parsing: "name") == nil)
    #expect(KnownPeers.forgetTarget(parsing: "host bob") == nil)
    #expect(KnownPeers.forgetTarget(parsing: "bob") == nil)
  }
}
