import ChatEvents
import ChatProtocol
import Crypto
import NIOCore

/// Runs one endpoint's file transfers, both ways, on its event loop: the pure
/// ``OutgoingTransfer`` and ``IncomingTransfer`` machines decide, ``FileStore`` reads and
/// writes off the loop, and the connections (``FileLink``) carry the frames.
///
/// A transfer outlives its connection: when one drops, the transfer waits; the sender
/// offers it again on the next connection (same id, same resume key) and the receiver
/// answers with what it has on disk, so it carries on where it stopped.
final class TransferEngine {
  struct Outgoing {
    var machine: OutgoingTransfer
    var source: FileStore.Source
    var info: FileTransferInfo
    var link: (any FileLink)?
    var hash = SHA256()
    var hashedBytes: UInt64 = 0
    /// Hashing what the receiver already has before sending the rest.
    var preparing = false
    /// Chunks read and hashed, sent one by one while the connection keeps up (a read
    /// spans up to ``TransferEngine/chunksPerRead`` of them); the rest wait for it to drain,
    /// so chat frames never queue behind more than one chunk.
    var unsent: [FileChunk] = []
    var meter = ProgressMeter()
    /// When it was given (offers go out in this order, a few at a time).
    var order = 0
    /// Which connection it waits for after a drop: the room member's, when the engine is a
    /// room host's (nil: the one peer's, for a connector).
    var member: String?
    /// The connection it had before it dropped (``linkGone(_:reason:)`` ends it).
    var lostLink: (any FileLink)?
  }

  struct Incoming {
    var machine: IncomingTransfer
    var info: FileTransferInfo
    var link: (any FileLink)?
    var target: FileStore.Target?
    var hash = SHA256()
    /// One write at a time (a file handle takes one user at once): what arrives meanwhile
    /// waits here, contiguous, and goes out in one write when the one in flight is done.
    /// The credit bounds it.
    var writing = false
    var unwritten: ByteBuffer?
    var unwrittenOffset: UInt64 = 0
    /// The transfer ended during a write: close the file after it (keeping it resumable or not).
    var closeAfterWrite: Bool?
    /// Offered again after it arrived and was verified (the sender's connection dropped
    /// before it heard so): the SHA-256 it had, to confirm the sender's again.
    var alreadyVerified: [UInt8]?
    var opening = false
    /// The folder it is saved into, once accepted.
    var directory: String?
    /// The sender offered it again (its connection came back): answer once the writes in
    /// flight are done, with what is on disk.
    var resumeDue = false
    var meter = ProgressMeter()
    /// The connection it had before it dropped (``linkGone(_:reason:)`` ends it).
    var lostLink: (any FileLink)?
  }

  let loop: any EventLoop
  let store: FileStore
  let settings: TransferSettings
  private let emit: (SessionEvent) -> Void
  private(set) var outgoing: [TransferID: Outgoing] = [:]
  private(set) var incoming: [TransferID: Incoming] = [:]
  /// When recent offers arrived (for the per-minute limit), oldest first.
  private var recentOffers: [ObjectIdentifier: [UInt64]] = [:]
  /// The order of the next file given to send.
  private var nextOrder = 0

  init(
    loop: any EventLoop, settings: TransferSettings, store: FileStore = FileStore(),
    emit: @escaping (SessionEvent) -> Void
  ) {
    self.loop = loop
    self.settings = settings
    self.store = store
    self.emit = emit
  }

  static let chunkCeiling = 128 << 10
  /// Chunks read from the file at once (then sent one by one): one trip to the thread pool
  /// per 512 KiB rather than per 128 KiB chunk.
  static let chunksPerRead = 4

  /// Runs `body` on the loop when `future` completes (the engine lives on the loop; the
  /// file store's futures complete there).
  private func whenDone<Value: Sendable>(
    _ future: EventLoopFuture<Value>, _ body: @escaping (Result<Value, any Error>) -> Void
  ) {
    let body = NIOLoopBound(body, eventLoop: loop)
    future.whenComplete { result in body.value(result) }
  }
  private var now: UInt64 { NIODeadline.now().uptimeNanoseconds }

  /// Whether any transfer is still under way (or waiting for its connection).
  var hasUnfinished: Bool {
    outgoing.values.contains { !$0.machine.isFinished } || incoming.values.contains { !$0.machine.isFinished }
  }

  // MARK: - Connections

  /// A connection is established (to `member` of the room, for a host): offers waiting for
  /// it go out on it.
  func linkEstablished(_ link: any FileLink, member: String? = nil) {
    offerWaiting(on: link, member: member)
  }

  /// Offers sent on one connection and not finished, at most: the rest wait their turn, so
  /// `--send` of forty files doesn't meet the receiver's limit on offers waiting for it.
  static let offersAtOnce = 4

  /// Sends the offers waiting for `link` (for `member`, on a room host), oldest first, as
  /// far as ``offersAtOnce`` allows.
  private func offerWaiting(on link: any FileLink, member: String?) {
    var slots = Self.offersAtOnce - outgoing.values.filter { $0.link === link && !$0.machine.isFinished }.count
    let waiting = outgoing.filter { !$0.value.machine.isFinished && $0.value.link == nil && $0.value.member == member }
    for (id, _) in waiting.sorted(by: { $0.value.order < $1.value.order }) {
      guard slots > 0 else { return }
      guard var transfer = outgoing[id], !transfer.machine.isFinished, transfer.link == nil else { continue }
      guard link.fileChunkLimit != nil else {
        finishOutgoing(id, .failed(reason: "the peer doesn't take files (an older chat, or another program)"))
        continue
      }
      transfer.link = link
      transfer.lostLink = nil
      outgoing[id] = transfer
      slots -= 1
      link.sendFile(.offer(transfer.machine.offer))
    }
  }

  /// A connection is gone: its transfers wait for the next one.
  func linkLost(_ link: any FileLink, reason: String) {
    for (id, var transfer) in outgoing where transfer.link === link && !transfer.machine.isFinished {
      transfer.machine.interrupted()
      transfer.link = nil
      transfer.lostLink = link
      transfer.unsent = []
      outgoing[id] = transfer
      emit(.file(transfer.info, .interrupted(reason: reason)))
    }
    for (id, var transfer) in incoming where transfer.link === link && !transfer.machine.isFinished {
      transfer.machine.interrupted()
      transfer.link = nil
      transfer.lostLink = link
      incoming[id] = transfer
      emit(.file(transfer.info, .interrupted(reason: reason)))
    }
  }

  /// The peer behind `link` is gone for good (it left the room, or its place expired): the
  /// transfers that were waiting for it to come back end. A received `.part` file stays, so
  /// a new offer of the same file carries on from it.
  func linkGone(_ link: any FileLink, reason: String) {
    for (id, transfer) in outgoing where transfer.link === link || transfer.lostLink === link {
      finishOutgoing(id, .failed(reason: reason))
    }
    for (id, transfer) in incoming where transfer.link === link || transfer.lostLink === link {
      finishIncoming(id, .failed(reason: reason), keepResumable: true)
    }
  }

  /// The endpoint stops for good: whatever is unfinished fails (received bytes stay in
  /// their `.part` files, ready to resume).
  func stop(reason: String) {
    for id in outgoing.keys { finishOutgoing(id, .failed(reason: reason)) }
    for id in incoming.keys { finishIncoming(id, .failed(reason: reason), keepResumable: true) }
  }

  /// The connection takes writes again: send more.
  func drained(_ link: any FileLink) {
    for (id, transfer) in outgoing where transfer.link === link { pump(id) }
  }

  // MARK: - Commands

  /// Offers the file at `path` over `link` (or on the next connection when nil), to
  /// `member` of a room (nil: the peer itself). `announced` is the offer's peer field: the
  /// member it is for (from a member to the relay) or the sender's name (from a host).
  /// `hosted`: the engine is a room host's, and the member's connection is the one to use.
  /// `link` gives the connection to use once the file is open (nil: none yet; the offer
  /// goes out when one is established): asked then, not now, since opening takes a moment
  /// in which a connection can come or go.
  func offer(
    path: String, to member: String?, announcing announced: String, hosted: Bool = false,
    over link: @escaping () -> (any FileLink)?
  ) {
    whenDone(store.openSource(path: path, on: loop)) { [self] result in
      switch result {
      case .failure(let error):
        let info = FileTransferInfo(
          id: .random(), name: path, size: 0, peer: member ?? "", direction: .outgoing)
        emit(.file(info, .finished(.failed(reason: FileStore.describe(error)), path: path)))
      case .success(let source):
        let offer = FileOffer(
          id: .random(), size: source.size, resumeKey: source.resumeKey, peer: announced, name: source.name)
        let info = FileTransferInfo(
          id: offer.id, name: source.name, size: source.size, peer: member ?? "", direction: .outgoing)
        nextOrder += 1
        outgoing[offer.id] = Outgoing(
          machine: OutgoingTransfer(offer: offer), source: source, info: info, order: nextOrder,
          member: hosted ? member : nil)
        emit(.file(info, .offered))
        if let link = link() { linkEstablished(link, member: hosted ? member : nil) }
      }
    }
  }

  func accept(_ text: String, into directory: String?) {
    guard let id = find(text, in: incoming.filter { $0.value.machine.phase == .offered && $0.value.target == nil })
    else {
      return
    }
    startReceiving(id, into: directory ?? settings.defaultDirectory)
  }

  func reject(_ text: String) {
    guard let id = find(text, in: incoming.filter { $0.value.machine.phase == .offered && $0.value.target == nil })
    else {
      return
    }
    incoming[id]?.link?.sendFile(.reject(id, reason: "declined"))
    finishIncoming(id, .rejected(reason: "you declined it"), keepResumable: false)
  }

  func cancel(_ text: String) {
    let open = outgoing.filter { !$0.value.machine.isFinished }.mapValues { $0.machine.offer }
    let openIncoming = incoming.filter { !$0.value.machine.isFinished }.mapValues { $0.machine.offer }
    guard let id = find(text, in: open.merging(openIncoming) { first, _ in first }) else { return }
    if let transfer = outgoing[id] {
      transfer.link?.sendFile(.cancel(id, reason: "cancelled by the sender"))
      finishOutgoing(id, .cancelled(reason: "you cancelled it"))
    } else if let transfer = incoming[id] {
      transfer.link?.sendFile(.cancel(id, reason: "cancelled by the receiver"))
      finishIncoming(id, .cancelled(reason: "you cancelled it"), keepResumable: true)
    }
  }

  /// The transfer whose id starts with `text` (hex, as shown), when exactly one does; or the
  /// only one, when `text` is empty. Otherwise says what is wrong and returns nil.
  private func find<Value>(_ text: String, in candidates: [TransferID: Value]) -> TransferID? {
    let wanted = text.lowercased()
    let matching = candidates.keys.filter { wanted.isEmpty || $0.hexString.hasPrefix(wanted) }
    if matching.count == 1 { return matching[0] }
    if matching.isEmpty {
      emit(
        .warning(
          wanted.isEmpty ? "no file transfer to act on" : "no file transfer with id \(SafeText.escaped(text)) to act on"
        ))
    } else {
      emit(
        .warning("several file transfers match; give the id: " + matching.map(\.short).sorted().joined(separator: ", "))
      )
    }
    return nil
  }

  // MARK: - Frames from the peer

  func receive(_ frame: FileFrame, from link: any FileLink) {
    switch frame {
    case .offer(let offer): received(offer, from: link)
    case .accept(let accept): accepted(accept, from: link)
    case .reject(let id, let reason):
      guard let transfer = outgoing[id], transfer.link === link else { return }
      finishOutgoing(id, .rejected(reason: reason.isEmpty ? "declined" : SafeText.escaped(reason)))
    case .chunk(let chunk): received(chunk, from: link)
    case .credit(let id, let bytes):
      guard var transfer = outgoing[id], transfer.link === link else { return }
      do {
        try transfer.machine.credited(bytes)
      } catch {
        return failOutgoing(id, error)
      }
      outgoing[id] = transfer
      pump(id)
    case .done(let id, let sha256):
      guard var transfer = incoming[id], transfer.link === link else { return unknown(id, link) }
      do {
        try transfer.machine.done(sha256: sha256)
      } catch {
        return failIncoming(id, error)
      }
      incoming[id] = transfer
      if transfer.machine.isReadyToVerify { verify(id) }
    case .result(let id, let status, let reason):
      guard var transfer = outgoing[id], transfer.link === link else { return }
      let hex = hexString(transfer.hash.finalize())
      do {
        let outcome = try transfer.machine.resultReceived(status, reason: SafeText.escaped(reason), sha256: hex)
        outgoing[id] = transfer
        store.close(transfer.source.handle, on: loop)
        emit(.file(transfer.info, .finished(outcome, path: transfer.source.path)))
        offerWaiting(on: link, member: transfer.member)
        forgetOldFinished()
      } catch {
        failOutgoing(id, error)
      }
    case .cancel(let id, let reason):
      let why = reason.isEmpty ? "cancelled by the peer" : SafeText.escaped(reason)
      // A transfer waiting for its connection (link nil) hears it too: a relay tells a
      // member that comes back what became of the transfers its drop ended.
      if let transfer = outgoing[id], transfer.link === link || transfer.link == nil {
        finishOutgoing(id, .cancelled(reason: why))
      } else if let transfer = incoming[id], transfer.link === link || transfer.link == nil {
        finishIncoming(id, .cancelled(reason: why), keepResumable: true)
      }
    }
  }

  /// A frame for a transfer this side doesn't know (or no longer runs): say so once per
  /// frame, so the peer stops.
  private func unknown(_ id: TransferID, _ link: any FileLink) {
    link.sendFile(.cancel(id, reason: "no such transfer here"))
  }

  // MARK: - Receiving

  private func received(_ offer: FileOffer, from link: any FileLink) {
    if var transfer = incoming[offer.id], !transfer.machine.isFinished {
      // Offered again: the sender's connection came back. Carry on from what is on disk.
      guard transfer.machine.offer.size == offer.size, transfer.machine.offer.resumeKey == offer.resumeKey else {
        link.sendFile(.reject(offer.id, reason: "a different file under the id of another"))
        return
      }
      transfer.link = link
      transfer.lostLink = nil
      transfer.resumeDue = transfer.target != nil
      incoming[offer.id] = transfer
      resumeIfDue(offer.id)
      return
    }
    if let done = incoming[offer.id], case .finished(.verified(let hex)) = done.machine.phase,
      done.machine.offer.size == offer.size, done.machine.offer.resumeKey == offer.resumeKey
    {
      // Already here and verified; the sender's connection dropped before the result
      // reached it. Nothing is written again: it sends its hash once more, which is checked
      // against the one verified, and hears the result.
      var again = IncomingTransfer(offer: offer, name: done.machine.name, window: settings.window)
      let accept = again.accept(offset: offer.size)
      var confirming = Incoming(machine: again, info: done.info, link: link)
      confirming.alreadyVerified = Self.bytes(hex: hex)
      incoming[offer.id] = confirming
      link.sendFile(.accept(accept))
      return
    }
    incoming[offer.id] = nil
    // The same file offered under a new id (a restarted sender): the transfer that waits for
    // the old sender to come back never will. It ends, and the new one carries on from its
    // `.part` file.
    for (id, old) in incoming
    where old.link == nil && !old.machine.isFinished && old.machine.offer.resumeKey == offer.resumeKey
      && old.machine.offer.size == offer.size
    {
      finishIncoming(id, .cancelled(reason: "offered again as \(offer.id.short)"), keepResumable: true)
    }
    if let refusal = refusal(of: offer, from: link) {
      link.sendFile(.reject(offer.id, reason: refusal))
      let info = FileTransferInfo(
        id: offer.id, name: SafeText.escaped(offer.name), size: offer.size, peer: SafeText.escaped(offer.peer),
        direction: .incoming)
      emit(.file(info, .finished(.rejected(reason: refusal), path: nil)))
      return
    }
    guard case .success(let name) = SafeFileName.clean(offer.name) else { return }
    recentOffers[ObjectIdentifier(link), default: []].append(now)
    let info = FileTransferInfo(
      id: offer.id, name: name, size: offer.size, peer: SafeText.escaped(offer.peer), direction: .incoming)
    incoming[offer.id] = Incoming(
      machine: IncomingTransfer(offer: offer, name: name, window: settings.window), info: info, link: link)
    emit(.file(info, .offerReceived))
    if let directory = settings.autoAcceptDirectory { startReceiving(offer.id, into: directory) }
  }

  /// Why `offer` is refused at once, if it is: its name, its size, too many offers.
  private func refusal(of offer: FileOffer, from link: any FileLink) -> String? {
    if let refusal = settings.refusal, settings.autoAcceptDirectory == nil { return refusal }
    if case .failure(let problem) = SafeFileName.clean(offer.name) { return "refused file name: \(problem)" }
    // Its .part file (found by resume key and size) is the one being written: two writers
    // would mix their bytes, and each would verify its own stream, not the file.
    if let running = incoming.first(where: {
      !$0.value.machine.isFinished && $0.value.link != nil && $0.value.machine.offer.resumeKey == offer.resumeKey
        && $0.value.machine.offer.size == offer.size
    }) {
      return "the same file is already on its way (\(running.key.short))"
    }
    if let limit = settings.maximumFileSize, offer.size > limit {
      return
        "\(Quantities.bytes(Int(clamping: offer.size))) is more than the \(Quantities.bytes(Int(clamping: limit))) this side takes (--max-file-size)"
    }
    let waiting = incoming.values.filter { $0.link === link && $0.machine.phase == .offered && $0.target == nil }.count
    if waiting >= settings.maximumWaitingOffers { return "too many offers are waiting for an answer" }
    let active =
      incoming.values.filter { !$0.machine.isFinished }.count + outgoing.values.filter { !$0.machine.isFinished }.count
    if active >= settings.maximumActiveTransfers { return "too many transfers at once; try again later" }
    // Per connection, so that one hostile member can't use up everyone's allowance.
    let minuteAgo = now &- 60_000_000_000
    for (key, times) in recentOffers {
      let recent = times.filter { $0 >= minuteAgo }
      recentOffers[key] = recent.isEmpty ? nil : recent
    }
    if recentOffers[ObjectIdentifier(link)]?.count ?? 0 >= settings.offersPerMinute {
      return "too many offers this minute; try again later"
    }
    return nil
  }

  private func startReceiving(_ id: TransferID, into directory: String) {
    guard var transfer = incoming[id], !transfer.opening else { return }
    transfer.opening = true
    incoming[id] = transfer
    defer { incoming[id]?.directory = directory }
    // What the transfers already under way into the same folder still have to write.
    let reserved = incoming.values.reduce(UInt64(0)) { sum, other in
      guard other.directory == directory, !other.machine.isFinished else { return sum }
      return sum &+ (other.machine.offer.size - min(other.machine.writtenBytes, other.machine.offer.size))
    }
    whenDone(
      store.openTarget(
        directory: directory, name: transfer.machine.name, offer: transfer.machine.offer, reserved: reserved, on: loop)
    ) { [self] result in opened(id, result) }
  }

  private func opened(_ id: TransferID, _ result: Result<FileStore.Target, any Error>) {
    guard var transfer = incoming[id], !transfer.machine.isFinished else {
      if case .success(let target) = result { store.abandon(target, keepResumable: true, on: loop) }
      return
    }
    transfer.opening = false
    switch result {
    case .failure(let error) where settings.autoAcceptDirectory == nil:
      // Someone typed the folder: the offer stays, for another try (`/accept ID DIR`).
      transfer.directory = nil
      incoming[id] = transfer
      emit(
        .warning(
          "can't save \(transfer.info.name) there: \(FileStore.describe(error)); the offer still waits: /accept \(id.short) DIR with another folder, or /reject \(id.short)"
        ))
    case .failure(let error):
      incoming[id] = transfer
      transfer.link?.sendFile(.reject(id, reason: "the receiver can't save it: \(FileStore.describe(error))"))
      finishIncoming(id, .failed(reason: "can't save it: \(FileStore.describe(error))"), keepResumable: false)
    case .success(let target):
      transfer.target = target
      transfer.hash = target.hash
      transfer.resumeDue = transfer.link != nil
      incoming[id] = transfer
      resumeIfDue(id)
    }
  }

  /// Accepts (again), from what is on disk, once no write is in flight.
  private func resumeIfDue(_ id: TransferID) {
    guard var transfer = incoming[id], transfer.resumeDue, !transfer.writing, transfer.unwritten == nil,
      let link = transfer.link,
      let target = transfer.target
    else { return }
    transfer.resumeDue = false
    let offset = max(transfer.machine.writtenBytes, target.resumeOffset)
    let accept = transfer.machine.accept(offset: offset)
    incoming[id] = transfer
    link.sendFile(.accept(accept))
    emit(.file(transfer.info, .started(path: target.partPath, resumedAt: offset)))
  }

  private func received(_ chunk: FileChunk, from link: any FileLink) {
    guard var transfer = incoming[chunk.id], transfer.link === link, let target = transfer.target else {
      return unknown(chunk.id, link)
    }
    let count = chunk.data.readableBytes
    do {
      try transfer.machine.chunk(offset: chunk.offset, count: count)
    } catch {
      return failIncoming(chunk.id, error)
    }
    // Hashed on the pool with its write (``FileStore/write(_:offset:data:hashing:on:)``).
    if transfer.writing {
      if transfer.unwritten == nil {
        transfer.unwritten = chunk.data
        transfer.unwrittenOffset = chunk.offset
      } else {
        var data = chunk.data
        transfer.unwritten!.writeBuffer(&data)
      }
      incoming[chunk.id] = transfer
      return
    }
    incoming[chunk.id] = transfer
    startWrite(chunk.id, target: target, offset: chunk.offset, data: chunk.data)
  }

  private func startWrite(_ id: TransferID, target: FileStore.Target, offset: UInt64, data: ByteBuffer) {
    guard let hash = incoming[id]?.hash else { return }
    incoming[id]?.writing = true
    let count = data.readableBytes
    whenDone(store.write(target, offset: offset, data: data, hashing: hash, on: loop)) { [self] result in
      written(id, count: count, result)
    }
  }

  private func written(_ id: TransferID, count: Int, _ result: Result<SHA256, any Error>) {
    guard var transfer = incoming[id], let target = transfer.target else { return }
    transfer.writing = false
    if case .success(let hash) = result { transfer.hash = hash }
    if transfer.machine.isFinished {
      transfer.unwritten = nil
      incoming[id] = transfer
      if let keep = transfer.closeAfterWrite { store.abandon(target, keepResumable: keep, on: loop) }
      return
    }
    if case .failure(let error) = result {
      incoming[id] = transfer
      transfer.link?.sendFile(.cancel(id, reason: "the receiver can't write it: \(FileStore.describe(error))"))
      return finishIncoming(id, .failed(reason: "can't write it: \(FileStore.describe(error))"), keepResumable: true)
    }
    let grant = transfer.machine.wrote(count)
    if transfer.meter.record(bytes: transfer.machine.writtenBytes, now: now) {
      emit(
        .file(
          transfer.info,
          .progress(bytes: transfer.machine.writtenBytes, bytesPerSecond: transfer.meter.bytesPerSecond)))
    }
    let next = transfer.unwritten.map { ($0, transfer.unwrittenOffset) }
    transfer.unwritten = nil
    incoming[id] = transfer
    if let grant, let link = transfer.link { link.sendFile(.credit(id, bytes: grant)) }
    if let (data, offset) = next {
      startWrite(id, target: target, offset: offset, data: data)
    } else if transfer.machine.isReadyToVerify {
      verify(id)
    } else {
      resumeIfDue(id)
    }
  }

  private func verify(_ id: TransferID) {
    if var transfer = incoming[id], let verified = transfer.alreadyVerified {
      let (_, result) = transfer.machine.verify(actual: verified)
      incoming[id] = transfer
      transfer.link?.sendFile(result)
      return
    }
    guard var transfer = incoming[id], let target = transfer.target else { return }
    let (outcome, result) = transfer.machine.verify(actual: Array(transfer.hash.finalize()))
    incoming[id] = transfer
    guard outcome.isVerified else {
      transfer.link?.sendFile(result)
      store.abandon(target, keepResumable: false, on: loop)
      emit(.file(transfer.info, .finished(outcome, path: target.partPath)))
      return
    }
    whenDone(store.complete(target, on: loop)) { [self] completion in
      let link = incoming[id]?.link
      switch completion {
      case .success(let path):
        link?.sendFile(result)
        emit(.file(transfer.info, .finished(outcome, path: path)))
        forgetOldFinished()
      case .failure(let error):
        link?.sendFile(.result(id, .failed, reason: "the receiver could not save it"))
        emit(
          .file(
            transfer.info,
            .finished(.failed(reason: "can't save it: \(FileStore.describe(error))"), path: target.partPath)))
      }
    }
  }

  private func failIncoming(_ id: TransferID, _ error: TransferFault) {
    incoming[id]?.link?.sendFile(.cancel(id, reason: error.message))
    finishIncoming(id, .failed(reason: error.message), keepResumable: true)
  }

  /// Finished transfers kept (to answer a late frame about them); older ones are forgotten.
  static let finishedKept = 64

  /// Forgets the oldest finished transfers past ``finishedKept`` each way, so a long-running
  /// endpoint's memory doesn't grow with every file it ever moved.
  private func forgetOldFinished() {
    let finishedOut = outgoing.filter { $0.value.machine.isFinished }
    if finishedOut.count > Self.finishedKept {
      for id in finishedOut.keys.prefix(finishedOut.count - Self.finishedKept) { outgoing[id] = nil }
    }
    let finishedIn = incoming.filter { $0.value.machine.isFinished && !$0.value.writing }
    if finishedIn.count > Self.finishedKept {
      for id in finishedIn.keys.prefix(finishedIn.count - Self.finishedKept) { incoming[id] = nil }
    }
  }

  private func finishIncoming(_ id: TransferID, _ outcome: TransferOutcome, keepResumable: Bool) {
    guard var transfer = incoming[id], !transfer.machine.isFinished else { return }
    transfer.machine.finish(outcome)
    if transfer.writing {
      transfer.closeAfterWrite = keepResumable
    } else if let target = transfer.target {
      store.abandon(target, keepResumable: keepResumable, on: loop)
    }
    incoming[id] = transfer
    emit(.file(transfer.info, .finished(outcome, path: transfer.target?.partPath)))
    forgetOldFinished()
  }

  // MARK: - Sending

  private func accepted(_ accept: FileAccept, from link: any FileLink) {
    guard var transfer = outgoing[accept.id], transfer.link === link else { return unknown(accept.id, link) }
    do {
      try transfer.machine.accepted(offset: accept.offset, window: accept.window)
    } catch {
      return failOutgoing(accept.id, error)
    }
    emit(.file(transfer.info, .started(path: transfer.source.path, resumedAt: accept.offset)))
    guard accept.offset != transfer.hashedBytes else {
      outgoing[accept.id] = transfer
      return pump(accept.id)
    }
    // The receiver has a different amount than was hashed: hash what it has, from the start.
    transfer.preparing = true
    outgoing[accept.id] = transfer
    whenDone(store.hashPrefix(transfer.source.handle, length: accept.offset, on: loop)) { [self] result in
      guard var transfer = outgoing[accept.id], !transfer.machine.isFinished else { return }
      transfer.preparing = false
      switch result {
      case .success(let hash):
        transfer.hash = hash
        transfer.hashedBytes = accept.offset
        outgoing[accept.id] = transfer
        pump(accept.id)
      case .failure(let error):
        outgoing[accept.id] = transfer
        failOutgoing(accept.id, TransferFault("can't read the file: \(FileStore.describe(error))"))
      }
    }
  }

  /// Sends what can go now: the next chunk when the connection keeps up and the credit
  /// allows (one read at a time), or FILE_DONE when everything is sent.
  private func pump(_ id: TransferID) {
    sendUnsent(id)
    guard var transfer = outgoing[id], !transfer.preparing, let link = transfer.link, let limit = link.fileChunkLimit,
      transfer.unsent.isEmpty
    else { return }
    if transfer.machine.isComplete {
      transfer.machine.doneSent()
      outgoing[id] = transfer
      link.sendFile(.done(id, sha256: Array(transfer.hash.finalize())))
      return
    }
    guard link.isKeepingUp,
      let read = transfer.machine.nextRead(chunkLimit: min(limit, Self.chunkCeiling) * Self.chunksPerRead)
    else {
      return
    }
    outgoing[id] = transfer
    startRead(id, read)
  }

  /// Reads (and hashes, on the pool) the next chunk, if one is due now: the credit allows
  /// it and none is out.
  private func readAhead(_ id: TransferID) {
    guard var transfer = outgoing[id], !transfer.preparing, let link = transfer.link, let limit = link.fileChunkLimit,
      transfer.unsent.count <= Self.chunksPerRead, link.isKeepingUp,
      let read = transfer.machine.nextRead(chunkLimit: min(limit, Self.chunkCeiling) * Self.chunksPerRead)
    else { return }
    outgoing[id] = transfer
    startRead(id, read)
  }

  private func startRead(_ id: TransferID, _ read: OutgoingTransfer.Read) {
    guard let transfer = outgoing[id] else { return }
    let reading = store.read(
      transfer.source, offset: read.offset, length: read.length, hashing: transfer.hash, on: loop)
    whenDone(reading) { [self] result in readDone(id, read, result) }
  }

  private func readDone(
    _ id: TransferID, _ read: OutgoingTransfer.Read, _ result: Result<(ByteBuffer, SHA256), any Error>
  ) {
    guard var transfer = outgoing[id], !transfer.machine.isFinished else { return }
    switch result {
    case .failure(let error):
      failOutgoing(id, TransferFault("can't read the file: \(FileStore.describe(error))"))
    case .success(let (data, hash)):
      let send: Bool
      do {
        send = try transfer.machine.readCompleted(read, count: data.readableBytes)
      } catch {
        outgoing[id] = transfer
        return failOutgoing(id, error)
      }
      guard send else {
        outgoing[id] = transfer
        return pump(id)
      }
      transfer.hash = hash
      transfer.hashedBytes += UInt64(data.readableBytes)
      let report = transfer.meter.record(bytes: transfer.machine.nextOffset, now: now)
      // Cut into chunks the peer takes (slices, not copies).
      let chunkLength = min(transfer.link?.fileChunkLimit ?? Self.chunkCeiling, Self.chunkCeiling)
      var rest = data
      while rest.readableBytes > 0 {
        let offset = read.offset + UInt64(data.readableBytes - rest.readableBytes)
        transfer.unsent.append(
          FileChunk(id: id, offset: offset, data: rest.readSlice(length: min(chunkLength, rest.readableBytes))!))
      }
      outgoing[id] = transfer
      // The next chunks are read and hashed on the pool while these are sealed and written
      // here (reads stay one at a time and in order; FILE_DONE waits for the last).
      readAhead(id)
      sendUnsent(id, readJustNow: true)
      if report {
        emit(
          .file(
            transfer.info,
            .progress(bytes: transfer.machine.nextOffset, bytesPerSecond: transfer.meter.bytesPerSecond)))
      }
      pump(id)
    }
  }

  /// Sends the chunks read and not sent yet, while the connection keeps up (with
  /// `readJustNow`, the first in any case: it was read because the connection kept up).
  private func sendUnsent(_ id: TransferID, readJustNow: Bool = false) {
    var first = readJustNow
    while var transfer = outgoing[id], !transfer.machine.isFinished, let link = transfer.link,
      !transfer.unsent.isEmpty, first || link.isKeepingUp
    {
      first = false
      let chunk = transfer.unsent.removeFirst()
      // Stored before the write: a write can end the connection, and the news of that
      // (linkLost) must not be overwritten by this copy.
      outgoing[id] = transfer
      link.sendFile(.chunk(chunk))
    }
  }

  private func failOutgoing(_ id: TransferID, _ error: TransferFault) {
    outgoing[id]?.link?.sendFile(.cancel(id, reason: error.message))
    finishOutgoing(id, .failed(reason: error.message))
  }

  private func finishOutgoing(_ id: TransferID, _ outcome: TransferOutcome) {
    guard var transfer = outgoing[id], !transfer.machine.isFinished else { return }
    transfer.machine.finish(outcome)
    transfer.unsent = []
    outgoing[id] = transfer
    store.close(transfer.source.handle, on: loop)
    emit(.file(transfer.info, .finished(outcome, path: transfer.source.path)))
    if let link = transfer.link { offerWaiting(on: link, member: transfer.member) }
    forgetOldFinished()
  }
}

extension TransferEngine {
  /// The bytes of a lowercase hex string (a hash this side wrote).
  static func bytes(hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    return stride(from: 0, to: digits.count - 1, by: 2).compactMap {
      UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)
    }
  }
}
