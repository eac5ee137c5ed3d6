import Foundation

/// The reference programs, written by the suite from the tutorials' description: Python's
/// socketserver with a `struct.pack('i')` length header (two sends per message, or one),
/// and a threaded relay with the same framing. ncat is installed with apt-get if missing.
enum ReferencePrograms {
  static let tutorialServer = #"""
    # The tutorials' design: socketserver, a native-order signed 4-byte length, recv(1024) loop.
    import socketserver, struct, sys, time
    mode, port, expected, writes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            conn = self.request
            count, start = 0, None
            while True:
                header = b''
                while len(header) < 4:
                    chunk = conn.recv(4 - len(header))
                    if not chunk:
                        return
                    header += chunk
                size = struct.unpack('i', header)[0]
                data = b''
                while len(data) < size:
                    data += conn.recv(min(1024, size - len(data)))
                text = data.decode('utf-8')
                if mode == 'echo':
                    if writes == 'two':
                        conn.send(struct.pack('i', size))
                        conn.send(data)
                    else:
                        conn.sendall(struct.pack('i', size) + data)
                else:
                    count += 1
                    if start is None:
                        start = time.perf_counter()
                    if count == expected:
                        print(f"{count / (time.perf_counter() - start):.0f}", flush=True)

    socketserver.TCPServer.allow_reuse_address = True
    with socketserver.TCPServer(('127.0.0.1', port), Handler) as server:
        print(f"port {server.server_address[1]}", flush=True)
        server.serve_forever()
    """#

  static let tutorialClient = #"""
    # Sends N messages of S bytes as the tutorials do (header and payload in two sends), or
    # measures N round trips with one or two writes per message.
    import socket, struct, sys, time
    mode, port, count, size, writes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    s = socket.create_connection(('127.0.0.1', port))
    payload = b'x' * size
    header = struct.pack('i', size)
    def send():
        if writes == 'two':
            s.send(header)
            s.send(payload)
        else:
            s.sendall(header + payload)
    if mode == 'stream':
        for _ in range(count):
            send()
        time.sleep(0.5)
    else:
        samples = []
        for _ in range(count):
            start = time.perf_counter_ns()
            send()
            got = b''
            while len(got) < 4 + size:
                got += s.recv(4 + size - len(got))
            samples.append(time.perf_counter_ns() - start)
        samples.sort()
        pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
        print(pick(0.5), pick(0.99), pick(0.999), flush=True)
    """#

  static let tutorialRelay = #"""
    # A relay in the tutorials' style: ThreadingTCPServer, 4-byte struct header, every frame
    # passed to every other client.
    import socketserver, struct, sys, threading
    port = int(sys.argv[1])
    clients, lock = [], threading.Lock()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            conn = self.request
            with lock:
                clients.append(conn)
            try:
                while True:
                    header = b''
                    while len(header) < 4:
                        chunk = conn.recv(4 - len(header))
                        if not chunk:
                            return
                        header += chunk
                    size = struct.unpack('i', header)[0]
                    data = b''
                    while len(data) < size:
                        data += conn.recv(min(1024, size - len(data)))
                    with lock:
                        others = [c for c in clients if c is not conn]
                    for other in others:
                        other.sendall(header + data)
            finally:
                with lock:
                    clients.remove(conn)

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    socketserver.ThreadingTCPServer.daemon_threads = True
    socketserver.ThreadingTCPServer.request_queue_size = 2048
    with socketserver.ThreadingTCPServer(('127.0.0.1', port), Handler) as server:
        print(f"port {server.server_address[1]}", flush=True)
        server.serve_forever()
    """#

  /// Writes the scripts into a fresh folder and returns its path.
  static func write() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chat-bench-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for (name, text) in [
      ("tutorial_server.py", tutorialServer), ("tutorial_client.py", tutorialClient),
      ("tutorial_relay.py", tutorialRelay),
    ] {
      try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    return folder
  }

  /// The path of ncat, installing Debian's package if it is missing (the suite runs as root
  /// on these machines); nil if it can't be had.
  static func ncat() -> String? {
    for path in ["/usr/bin/ncat", "/usr/local/bin/ncat"] where FileManager.default.isExecutableFile(atPath: path) {
      return path
    }
    let install = ChildProcess.runToEnd(
      [
        "/bin/sh", "-c",
        "export DEBIAN_FRONTEND=noninteractive; (apt-get install -y -qq ncat || (apt-get update -qq && apt-get install -y -qq ncat)) >/dev/null 2>&1",
      ], seconds: 300)
    guard install == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/ncat") else { return nil }
    return "/usr/bin/ncat"
  }
}
