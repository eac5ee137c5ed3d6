import NIOCore

/// What arrives from the peer: frames as they come during the handshake, then SEALED
/// records, opened here and taken in frame by frame (docs/PROTOCOL.md §3).
extension SessionMachine {
  /// A frame arrived from the peer. `now` is a monotonic clock in nanoseconds, used for RTT.
  public mutating func receive(_ frame: Frame, now: UInt64) -> [SessionAction] {
    if case .ended(receiptsStillCount: false) = state { return [] }
    let wasLate = heartbeat.heard(now: now)
    var actions: [SessionAction] = wasLate ? [.report(.peerResponsive)] : []
    guard opener != nil else {
      if case .sealed = frame {
        return actions + protocolViolation(FrameError(.unexpectedFrame, "unexpected sealed frame \(stateDescription)"))
      }
      return actions + receiveInner(frame, now: now)
    }
    switch frame {
    case .sealed(let record):
      actions += receiveRecord(record, now: now)
    case .error where !peerSealed:
      // Before its first record the peer may still refuse in plaintext (a wrong secret).
      actions += receiveInner(frame, now: now)
    default:
      actions += protocolViolation(
        FrameError(
          .tampered, "the connection was tampered with: a plaintext \(frame.type) frame inside the encrypted channel"))
    }
    return actions
  }

  /// Opens one record and takes in the frames it holds, in order.
  mutating func receiveRecord(_ record: ByteBuffer, now: UInt64) -> [SessionAction] {
    var plaintext: ByteBuffer
    do {
      plaintext = try opener!.open(record)
    } catch {
      return protocolViolation(error)
    }
    peerSealed = true
    var actions: [SessionAction] = []
    if case .confirming(let peer, let auth) = state {
      // The listener's first record proves it holds the same keys.
      state = .established(peer: peer)
      actions += [.report(.established(peer, auth))] + sendQueued(to: peer)
    }
    repeat {
      let frame: Frame?
      do {
        frame = try innerDecoder.decode(&plaintext)
      } catch {
        return actions + protocolViolation(error)
      }
      guard let frame else {
        return actions + protocolViolation(FrameError(.malformedFrame, "sealed frame: it ends inside a frame"))
      }
      switch frame {
      case .hello, .cpace, .noise, .sealed:
        return actions
          + protocolViolation(FrameError(.unexpectedFrame, "unexpected \(frame.type) frame inside a sealed record"))
      default:
        actions += receiveInner(frame, now: now)
      }
      if case .ended(receiptsStillCount: false) = state { return actions }
    } while plaintext.readableBytes > 0
    return actions
  }

  /// One frame, opened from a record or (during the handshake) as it came.
  mutating func receiveInner(_ frame: Frame, now: UInt64) -> [SessionAction] {
    if case .ended(receiptsStillCount: true) = state {
      // After our goodbye the peer's last receipts still tell what it got.
      switch frame {
      case .ack(let sequence): return receiveAcknowledgement(sequence)
      case .refused(let refusal): return receiveRefusal(refusal)
      default: return []
      }
    }
    return receiveFrame(frame, now: now)
  }

  /// The connection's own byte stream (the outer frames, not those inside records) could
  /// not be decoded. Once the keys are in hand the peer sends nothing but SEALED records,
  /// so an outer header that does not decode (a type byte or a length changed on the path:
  /// an unknown type, a plaintext frame of an impossible length, a record longer than the
  /// maximum) was tampered with, like a record that does not open (PROTOCOL.md §3).
  public mutating func streamDecodingFailed(_ error: FrameError) -> [SessionAction] {
    guard opener != nil else { return decodingFailed(error) }
    return protocolViolation(
      FrameError(.tampered, "the connection was tampered with: not a sealed record (\(error.message))"))
  }
}
