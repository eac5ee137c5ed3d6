// swift-tools-version: 6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
  name: "chat",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "chat", targets: ["chat"]),
    .executable(name: "chat-bench", targets: ["ChatBench"]),
    .executable(name: "chat-fuzz", targets: ["ChatFuzz"]),
    .library(name: "ChatProtocol", targets: ["ChatProtocol"]),
    .library(name: "ChatEvents", targets: ["ChatEvents"]),
    .library(name: "ChatNetwork", targets: ["ChatNetwork"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
    .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
  ],
  targets: [
    // Pure cryptography for the encrypted channel: field arithmetic mod 2^255-19 and
    // Elligator 2 (constant-time), CPace, and the Noise handshake, over swift-crypto's
    // primitives. No I/O.
    .target(
      name: "ChatCrypto",
      dependencies: [.product(name: "Crypto", package: "swift-crypto")],
      swiftSettings: strictSettings
    ),
    // This installation's identity key, the peers' pinned keys (known_peers) and safety
    // numbers: small files under ~/.config/chat, read and written atomically.
    .target(
      name: "ChatIdentity",
      dependencies: ["ChatCrypto", .product(name: "Crypto", package: "swift-crypto")],
      swiftSettings: strictSettings
    ),
    // Pure wire protocol: frame codec, handshake, authentication and the session state
    // machine. No sockets, no event loop, no clock: everything is fed in.
    .target(
      name: "ChatProtocol",
      dependencies: [
        "ChatCrypto",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "DequeModule", package: "swift-collections"),
      ],
      swiftSettings: strictSettings
    ),
    // Pure room logic: names, order, rate limits, connection limits, the roster.
    .target(
      name: "ChatRoom",
      dependencies: ["ChatProtocol", .product(name: "DequeModule", package: "swift-collections")],
      swiftSettings: strictSettings
    ),
    // The front ends' contract, pure: the events an endpoint reports, the commands it takes,
    // and the bounded queue between them. No NIO: the screen and the plain front end build
    // and test without it.
    .target(
      name: "ChatEvents",
      dependencies: ["ChatProtocol"],
      swiftSettings: strictSettings
    ),
    // SwiftNIO shell: listener (the room), connector and thin channel handlers over
    // ChatProtocol and ChatRoom, reporting through ChatEvents.
    .target(
      name: "ChatNetwork",
      dependencies: [
        "ChatEvents",
        "ChatProtocol",
        "ChatRoom",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strictSettings
    ),
    // The screen's model, pure: display width, wrapping, scrollback, input editing, status.
    .target(
      name: "ChatScreen",
      dependencies: [
        "ChatCrypto",
        "ChatEvents",
        "ChatProtocol",
        .product(name: "DequeModule", package: "swift-collections"),
      ],
      swiftSettings: strictSettings
    ),
    // The system's wide-character ncurses, with a shim for what Swift can't import.
    .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
    // SIGWINCH, SIGTSTP and SIGCONT hooks in C: signal handlers must be async-signal-safe.
    .target(name: "CResizeSignal"),
    // The ncurses front end: draws the ChatScreen model, reads keys, and runs /run's
    // commands off the UI thread.
    .target(
      name: "ChatTerminal",
      dependencies: [
        "CNcursesw",
        "CResizeSignal",
        "ChatScreen",
        "ChatEvents",
        "ChatProtocol",
      ],
      swiftSettings: strictSettings
    ),
    // Command line and front ends: option parsing, secrets, the plain line front end.
    .target(
      name: "ChatApp",
      dependencies: [
        "ChatRoom",
        "ChatCrypto",
        "ChatIdentity",
        "ChatScreen",
        "ChatTerminal",
        "ChatNetwork", "ChatEvents",
        "ChatProtocol",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "DequeModule", package: "swift-collections"),
      ],
      swiftSettings: strictSettings
    ),
    .executableTarget(
      name: "chat",
      dependencies: ["ChatApp"],
      swiftSettings: strictSettings
    ),
    .target(
      name: "ChatTestSupport",
      dependencies: [
        "ChatProtocol",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
      ],
      path: "Tests/ChatTestSupport",
      swiftSettings: strictSettings
    ),
    // Fuzzing the protocol core: the harness and a mutation fuzzer (also used by tests),
    // and `chat-fuzz`, which runs them, or libFuzzer when built by scripts/fuzz.sh.
    .target(
      name: "ChatFuzzing",
      dependencies: ["ChatProtocol", .product(name: "NIOCore", package: "swift-nio")],
      swiftSettings: strictSettings
    ),
    .executableTarget(
      name: "ChatFuzz",
      dependencies: ["ChatFuzzing"],
      swiftSettings: strictSettings
    ),
    // Allocation counting for the benchmark (replaces malloc; never linked into chat).
    .target(name: "CMallocCounter"),
    // The benchmark suite: `swift run -c release chat-bench` (see docs/PERFORMANCE.md).
    .executableTarget(
      name: "ChatBench",
      dependencies: [
        "ChatProtocol",
        "ChatRoom",
        "ChatNetwork", "ChatEvents",
        "ChatScreen",
        "CMallocCounter",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "Histogram", package: "hdrhistogram-swift"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: strictSettings
    ),
    .testTarget(
      name: "ChatProtocolTests",
      dependencies: [
        "ChatProtocol",
        "ChatCrypto",
        .product(name: "Crypto", package: "swift-crypto"),
        "ChatFuzzing",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "PropertyBased", package: "swift-property-based"),
      ],
      swiftSettings: strictSettings
    ),
    .testTarget(
      name: "ChatNetworkTests",
      dependencies: [
        "ChatNetwork", "ChatEvents",
        "ChatProtocol",
        "ChatTestSupport",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOEmbedded", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "NIOTestUtils", package: "swift-nio"),
      ],
      swiftSettings: strictSettings
    ),
    .testTarget(
      name: "ChatCryptoTests",
      dependencies: ["ChatCrypto", .product(name: "Crypto", package: "swift-crypto")],
      swiftSettings: strictSettings
    ),
    .testTarget(
      name: "ChatIdentityTests",
      dependencies: ["ChatIdentity", "ChatCrypto", .product(name: "Crypto", package: "swift-crypto")],
      swiftSettings: strictSettings
    ),
    .testTarget(
      name: "ChatRoomTests",
      dependencies: ["ChatRoom", "ChatProtocol"],
      swiftSettings: strictSettings
    ),
    .testTarget(
      name: "ChatScreenTests",
      dependencies: [
        "ChatScreen",
        "ChatEvents",
        "ChatProtocol",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ],
      swiftSettings: strictSettings
    ),
    .testTarget(
      name: "ChatAppTests",
      dependencies: ["ChatApp", "ChatNetwork", "ChatEvents", "ChatProtocol", "ChatScreen", "ChatTestSupport", "chat"],
      swiftSettings: strictSettings
    ),
  ],
  swiftLanguageModes: [.v6]
)
