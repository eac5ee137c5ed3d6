import Foundation
import Testing

/// The tutorials' own programs (scripts/tutorial/) and `chat --framing tutorial`, as real
/// processes, both ways: a tutorial client with a chat listener, a chat connector with a
/// tutorial server; with and without the tutorials' hmac check; Chinese text.
@Suite("End to end: the tutorials' programs and --framing tutorial", .serialized)
struct TutorialEndToEndTests {
  static let secret = "wan yifei"  // the tutorials' secret_key

  /// A chat listener in tutorial framing on a free port, and that port.
  func listener(_ extra: [String] = [], secret: String? = nil) async throws -> (ChatProcess, Int) {
    let chat = try ChatProcess(
      ["--listen", "127.0.0.1:0", "--framing", "tutorial"] + extra,
      environment: secret.map { ["CHAT_SECRET": $0] } ?? [:])
    let listening = try await chat.line("listening")
    #expect(listening.contains("tutorial framing: NOT encrypted"))
    return (chat, Int(listening[1].split(separator: ":").last!)!)
  }

  /// A tutorial server on a free port, once it listens.
  func server(_ script: String) async throws -> (TutorialProgram, Int) {
    try await TutorialProgram.server(script)
  }

  func connector(to port: Int, _ extra: [String] = [], secret: String? = nil) throws -> ChatProcess {
    try ChatProcess(
      ["--connect", "127.0.0.1:\(port)", "--framing", "tutorial"] + extra,
      environment: secret.map { ["CHAT_SECRET": $0] } ?? [:])
  }

  // MARK: - Without the hmac check

  @Test func theStructServerSendsToAChatConnector() async throws {
    let (server, port) = try await server("struct_server.py")
    let chat = try connector(to: port)
    let established = try await chat.line("established")
    #expect(established[2] == "unauthenticated")
    #expect(established.last == "tutorial framing: NOT encrypted")
    try await server.waitForOutput(containing: ">>>")
    server.type("你好，chat！")
    // 16 bytes of UTF-8 and the 4-byte struct.pack('i') header.
    try await chat.line("recv") { $0[2...] == ["1", "16", "20", "你好，chat！"] }
    server.type("second 第二")
    try await chat.line("recv") { $0.last == "second 第二" }
    // The tutorial's server never reads; chat's line is written all the same.
    chat.type("unread")
    try await chat.line("written") { $0 == ["written", "1"] }
    chat.closeInput()
    #expect(try await chat.exitStatus() == 0)
    server.stop()
  }

  @Test func aChatListenerSendsToTheStructClient() async throws {
    let (chat, port) = try await listener()
    let client = try TutorialProgram(script: "struct_client.py", arguments: [String(port)])
    try await chat.line("established") { $0.last == "tutorial framing: NOT encrypted" }
    chat.type("你好，教程！")
    try await chat.line("sent") { $0[3...] == ["18", "22", "你好，教程！"] }
    try await client.waitForOutput(containing: "你好，教程！\n")
    chat.type("again 再来")
    try await client.waitForOutput(containing: "again 再来\n")
    chat.closeInput()
    #expect(try await chat.exitStatus() == 0)
    client.stop()
  }

  @Test func aListenerTalksWithOnePeerAtATimeAndThenWaitsForTheNext() async throws {
    let (chat, port) = try await listener()
    let first = try TutorialProgram(script: "framed_client.py", arguments: [String(port)])
    try await chat.line("established")
    let secondProgram = try TutorialProgram(script: "framed_client.py", arguments: [String(port)])
    let refused = try await chat.line("refused")
    #expect(refused[2] == "busy: a tutorial listener talks with one peer at a time")
    secondProgram.stop()
    first.stop()
    try await chat.line("disconnected")
    // Waiting again, and the next peer is taken.
    let waiting = await chat.lines.entries.filter { $0.first == "listening" }.count
    try await chat.lines.wait("listening again") { entries, _ in
      entries.filter { $0.first == "listening" }.count > waiting - 1 && entries.last?.first == "listening"
    }
    let next = try TutorialProgram(script: "framed_client.py", arguments: [String(port)])
    try await chat.lines.wait("a second established") { entries, _ in
      entries.filter { $0.first == "established" }.count == 2
    }
    next.type("我是第二个")
    try await chat.line("recv") { $0.last == "我是第二个" }
    chat.closeInput()
    #expect(try await chat.exitStatus() == 0)
    next.stop()
  }

  @Test func theFramedClientSendsToAChatListener() async throws {
    let (chat, port) = try await listener()
    let client = try TutorialProgram(script: "framed_client.py", arguments: [String(port)])
    try await chat.line("established")
    client.type("你好，监听者")
    try await chat.line("recv") { $0[2...] == ["1", "18", "22", "你好，监听者"] }
    try await client.waitForOutput(containing: "发出去的数据是: 你好，监听者")
    client.type("two")
    try await chat.line("recv") { $0[2...] == ["2", "3", "7", "two"] }
    chat.closeInput()
    #expect(try await chat.exitStatus() == 0)
    client.stop()
  }

  @Test func aChatConnectorSendsToTheFramedServer() async throws {
    let (server, port) = try await server("framed_server.py")
    let chat = try connector(to: port)
    try await chat.line("established")
    chat.type("你好，服务器")
    try await server.waitForOutput(containing: "收到的数据是: 你好，服务器\n")
    // One at a time: the tutorial's server reads a body with recv(1024), which would take
    // the next frame's header too if both arrived together.
    chat.type("第二条 message")
    try await server.waitForOutput(containing: "收到的数据是: 第二条 message\n")
    chat.closeInput()
    #expect(try await chat.exitStatus() == 0)
    server.stop()
  }

  // MARK: - With the tutorials' hmac check

  @Test func theHmacClientPassesTheCheckOfAChatListenerAndTheyTalk() async throws {
    let (chat, port) = try await listener(secret: Self.secret)
    let client = try TutorialProgram(script: "hmac_client.py", arguments: [String(port)])
    let established = try await chat.line("established")
    #expect(established[2] == "weak, tutorial-compatible auth")
    client.type("你好 hmac")
    try await chat.line("recv") { $0.last == "你好 hmac" }
    // The tutorial's client waits for a reply to each message.
    chat.type("回复：收到")
    try await client.waitForOutput(containing: "收到的数据是:  回复：收到")
    client.type("bye")
    try await chat.line("recv") { $0.last == "bye" }
    chat.closeInput()
    #expect(try await chat.exitStatus() == 0)
    client.stop()
  }

  @Test func aChatConnectorPassesTheCheckOfTheHmacServerAndTheyTalk() async throws {
    let (server, port) = try await server("hmac_server.py")
    let chat = try connector(to: port, secret: Self.secret)
    try await chat.line("authenticating")
    let established = try await chat.line("established")
    #expect(established[2] == "weak, tutorial-compatible auth")
    chat.type("hello 你好")
    try await server.waitForOutput(containing: "客户端合法")
    try await server.waitForOutput(containing: "收到客户端的消息是: hello 你好")
    // The server's upper-case echo.
    try await chat.line("recv") { $0.last == "HELLO 你好" }
    chat.type("second")
    try await chat.line("recv") { $0.last == "SECOND" }
    chat.closeInput()
    #expect(try await chat.exitStatus() == 0)
    server.stop()
  }

  @Test func aChatListenerRefusesTheHmacClientWhenTheSecretsDiffer() async throws {
    let (chat, port) = try await listener(secret: "not wan yifei")
    let client = try TutorialProgram(script: "hmac_client.py", arguments: [String(port)])
    let failed = try await chat.line("auth-failed")
    #expect(failed[2].contains("the client's secret differs"))
    // The listener carries on, waiting for the next peer.
    try await chat.line("listening") { _ in true }
    client.type("never shown")
    chat.closeInput()
    #expect(try await chat.exitStatus() == 0)
    #expect(!(await chat.lines.entries.contains { $0.first == "recv" }))
    client.stop()
  }

  @Test func theHmacServerRefusesAChatConnectorWithAnotherSecret() async throws {
    let (server, port) = try await server("hmac_server.py")
    let chat = try connector(to: port, secret: "alex_s")
    let failed = try await chat.line("auth-failed")
    #expect(failed[2].contains("the secret is probably wrong"))
    try await server.waitForOutput(containing: "该链接不合法,关闭")
    #expect(try await chat.exitStatus() == 1)
    server.stop()
  }

  // MARK: - GBK and refusals

  @Test func gbkConvertsBothWaysAndBadBytesAreShownEscaped() async throws {
    let (chat, port) = try await listener(["--encoding", "gbk"])
    // A Windows-style tutorial client: GBK text, then a frame with a byte GBK lacks, then
    // it prints the reply's bytes in hex.
    let client = try TutorialProgram(
      code: """
        import socket, struct, sys
        sk = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
        for body in ['你好，GBK'.encode('gbk'), b'\\xc4\\xe3\\xff']:
            sk.sendall(struct.pack('i', len(body)) + body)
        head = sk.recv(4, socket.MSG_WAITALL)
        body = sk.recv(struct.unpack('i', head)[0], socket.MSG_WAITALL)
        print('reply', body.hex(), body.decode('gbk'))
        sk.close()
        """,
      arguments: [String(port)])
    try await chat.line("recv") { $0[2...] == ["1", "9", "13", "你好，GBK"] }
    try await chat.line("recv") { $0[2...] == ["2", "3", "7", "你\\\\xFF"] }
    chat.type("再见")
    // 再见 in GBK: d4 d9 bc fb.
    try await client.waitForOutput(containing: "reply d4d9bcfb 再见")
    try await chat.line("disconnected")
    chat.closeInput()
    #expect(try await chat.exitStatus() == 0)
    client.stop()
  }

  @Test func framesCutAcrossReadsAndStuckTogetherArriveWhole() async throws {
    let (chat, port) = try await listener()
    // A length cut in two with a pause between, then two frames in one send.
    let senderProgram = try TutorialProgram(
      code: """
        import socket, struct, sys, time
        sk = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
        sk.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        body = '粘包'.encode('utf-8')
        frame = struct.pack('i', len(body)) + body
        sk.sendall(frame[:2]); time.sleep(0.3)
        sk.sendall(frame[2:5]); time.sleep(0.3)
        sk.sendall(frame[5:])
        sk.sendall(struct.pack('i', 3) + b'one' + struct.pack('i', 0) + struct.pack('i', 3) + b'two')
        time.sleep(5)
        """,
      arguments: [String(port)])
    try await chat.line("recv") { $0[2...] == ["1", "6", "10", "粘包"] }
    try await chat.line("recv") { $0[2...] == ["2", "3", "7", "one"] }
    // A zero-length frame is a message with no text.
    try await chat.line("recv") { $0[2...] == ["3", "0", "4", ""] }
    try await chat.line("recv") { $0[2...] == ["4", "3", "7", "two"] }
    chat.closeInput()
    #expect(try await chat.exitStatus() == 0)
    senderProgram.stop()
  }

  @Test func anUnframedReplyAndAHugeLengthAreRefusedWithAClearError() async throws {
    let (chat, port) = try await listener(["--max-frame", "65536"])
    let bareProgram = try TutorialProgram(
      code: """
        import socket, sys, time
        sk = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
        sk.sendall(b'HELLO world')
        time.sleep(5)
        """,
      arguments: [String(port)])
    let bare = try await chat.line("disconnected")
    #expect(bare[2].contains("refused a frame of 1280066888 bytes, more than --max-frame 65536"))
    #expect(bare[2].contains("sent without a length header"))
    try await chat.line("listening") { _ in true }
    let negativeProgram = try TutorialProgram(
      code: """
        import socket, struct, sys, time
        sk = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
        sk.sendall(struct.pack('i', -5))
        time.sleep(5)
        """,
      arguments: [String(port)])
    let negative = try await chat.line("disconnected") { $0[2].contains("negative") }
    #expect(negative[2].contains("refused a frame with a negative length (-5"))
    chat.closeInput()
    #expect(try await chat.exitStatus() == 0)
    bareProgram.stop()
    negativeProgram.stop()
  }

  @Test func optionsThatDontFitTheTutorialFramingAreUsageErrors() async throws {
    let serve = try ChatProcess(["--serve", "127.0.0.1:0", "--framing", "tutorial"])
    #expect(try await serve.exitStatus() == 64)
    try await serve.stderr.first("why") { $0.contains("one peer at a time") }
    let encoding = try ChatProcess(["--connect", "127.0.0.1:1", "--encoding", "gbk"])
    #expect(try await encoding.exitStatus() == 64)
    try await encoding.stderr.first("why") { $0.contains("--encoding applies to --framing tutorial only") }
    let unknown = try ChatProcess(["--connect", "127.0.0.1:1", "--framing", "tutorial", "--encoding", "latin1"])
    #expect(try await unknown.exitStatus() == 64)
    let framing = try ChatProcess(["--connect", "127.0.0.1:1", "--framing", "json"])
    #expect(try await framing.exitStatus() == 64)
    try await framing.stderr.first("why") { $0.contains("--framing must be chat or tutorial") }
  }
}
