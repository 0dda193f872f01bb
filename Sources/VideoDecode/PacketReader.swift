internal import CFFmpeg
import Foundation

/// A compressed packet as the container stores it (for integrity checks, not decoding).
public struct MediaPacket: Sendable {
    public let streamIndex: Int
    public let isVideo: Bool
    public let isKeyframe: Bool
    /// Presentation time in seconds, relative to time zero of the container.
    public let time: Double?
    public let payload: [UInt8]
}

public enum PacketReader {
    /// Calls `body` with every packet of the file in container order.
    public static func forEachPacket(_ path: String, _ body: (MediaPacket) throws -> Void) throws {
        let input = try InputFile(path: path)
        let packet = Packet()
        let streams = input.streams
        while try input.read(into: packet.pointer) {
            defer { packet.unref() }
            let p = packet.pointer.pointee
            let stream = streams[Int(p.stream_index)]
            let payload = p.data.map { Array(UnsafeBufferPointer(start: $0, count: Int(p.size))) } ?? []
            try body(MediaPacket(streamIndex: Int(p.stream_index),
                                 isVideo: stream.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO,
                                 isKeyframe: p.flags & AV_PKT_FLAG_KEY != 0,
                                 time: FFmpeg.seconds(p.pts, stream.pointee.time_base),
                                 payload: payload))
        }
    }
}
