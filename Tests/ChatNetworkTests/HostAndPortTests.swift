import ChatEvents
import ChatNetwork
import Testing

@Suite("HOST:PORT parsing")
struct HostAndPortTests {
  @Test func listeningForms() throws {
    #expect(try HostAndPort.parse(listening: "9090") == HostAndPort(host: nil, port: 9090))
    #expect(try HostAndPort.parse(listening: ":9090") == HostAndPort(host: nil, port: 9090))
    #expect(try HostAndPort.parse(listening: "127.0.0.1:0") == HostAndPort(host: "127.0.0.1", port: 0))
    #expect(try HostAndPort.parse(listening: "[::1]:9090") == HostAndPort(host: "::1", port: 9090))
  }

  @Test func connectingForms() throws {
    #expect(try HostAndPort.parse(connecting: "example.org:80") == HostAndPort(host: "example.org", port: 80))
    #expect(try HostAndPort.parse(connecting: "[::1]:9090").description == "[::1]:9090")
    #expect(try HostAndPort.parse(connecting: "127.0.0.1:9090").description == "127.0.0.1:9090")
  }

  @Test(arguments: [
    ("9090", "needs a port"), ("localhost", "needs a port"), (":9090", "needs a host"),
    ("host:0", "outside 1...65535"), ("host:70000", "outside 1...65535"), ("host:http", "not a port number"),
    ("::1:9090", "brackets"), ("[::1:9090", "never closes"), ("[::1]9090", "needs a port after"),
  ])
  func badConnectAddressesSayWhatIsWrong(text: String, expected: String) {
    #expect {
      _ = try HostAndPort.parse(connecting: text)
    } throws: { error in
      (error as? HostAndPort.ParseError)?.description.contains(expected) == true
    }
  }
}
