import ChatNetwork
import Testing

@Suite("Addresses: TCP HOST:PORT or unix:PATH")
struct ChatAddressTests {
  @Test func unixAddressesKeepThePathAsTyped() throws {
    #expect(try ChatAddress.parse(listening: "unix:/tmp/chat.sock") == .unix(try UnixSocketPath("/tmp/chat.sock")))
    #expect(try ChatAddress.parse(connecting: "unix:/tmp/chat.sock").description == "unix:/tmp/chat.sock")
    // A relative path, spaces and Chinese are a path like any other; pins use the text.
    #expect(try ChatAddress.parse(connecting: "unix:run/聊天 1.sock").description == "unix:run/聊天 1.sock")
    #expect(try ChatAddress.parse(connecting: "unix:/tmp/x:9090").unixPath?.path == "/tmp/x:9090")
  }

  @Test func tcpAddressesAreHostAndPortAsBefore() throws {
    #expect(try ChatAddress.parse(listening: "9090") == .tcp(HostAndPort(host: nil, port: 9090)))
    #expect(try ChatAddress.parse(connecting: "[::1]:9090").description == "[::1]:9090")
    #expect(try ChatAddress.parse(connecting: "[::1]:9090").unixPath == nil)
    // "unix" as a host name still works with a port, the prefix is "unix:" then a path.
    #expect(throws: HostAndPort.ParseError.self) { try ChatAddress.parse(connecting: "localhost") }
  }

  @Test func theLongestPathThatFitsSunPathIsTaken() throws {
    let fits = "/" + String(repeating: "a", count: 106)
    #expect(fits.utf8.count == 107)
    #expect(try UnixSocketPath(fits).path == fits)
    #expect {
      try UnixSocketPath(fits + "a")
    } throws: { error in
      let text = "\(error)"
      return text.contains("108 bytes long") && text.contains("at most 107")
    }
    // Counted in bytes: 36 Chinese characters are 108 bytes.
    #expect(throws: UnixSocketPath.Problem.self) { try UnixSocketPath(String(repeating: "聊", count: 36)) }
  }

  @Test(arguments: [
    ("unix:", "needs a path"), ("unix:/tmp/a\u{0}b", "control character"), ("unix:/tmp/a\nb", "control character"),
  ])
  func badUnixPathsSayWhatIsWrong(text: String, expected: String) {
    #expect {
      _ = try ChatAddress.parse(listening: text)
    } throws: { error in
      (error as? HostAndPort.ParseError)?.description.contains(expected) == true
    }
  }
}
