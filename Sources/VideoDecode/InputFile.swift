internal import CFFmpeg
import Foundation

/// Deadline checked by FFmpeg's interrupt callback: a stalled network or share read returns
/// AVERROR_EXIT instead of hanging the batch. (A read blocked inside the kernel is beyond it.)
// Unchecked: armed and read on the decoding thread only (FFmpeg calls its interrupt callback there).
final class IOWatchdog: @unchecked Sendable {
    private var deadline: UInt64 = .max
    let limitNanoseconds: UInt64

    init(limitSeconds: Double) { limitNanoseconds = UInt64(max(limitSeconds, 0.001) * 1e9) }

    /// Called before each blocking FFmpeg call.
    func arm() { deadline = DispatchTime.now().uptimeNanoseconds &+ limitNanoseconds }
    var expired: Bool { DispatchTime.now().uptimeNanoseconds > deadline }
}

/// An opened container (libavformat). Owns the AVFormatContext and the watchdog that its
/// interrupt callback points at; both live exactly as long as this object.
final class InputFile {
    let path: String
    let context: UnsafeMutablePointer<AVFormatContext>
    private let watchdog: Unmanaged<IOWatchdog>

    init(path: String, stallLimit: Double = 30) throws {
        _ = FFmpeg.quietLogging
        try preflight(path)
        self.path = path
        guard let ctx = avformat_alloc_context() else {
            throw DecodeError(.open, file: path, operation: "avformat_alloc_context", reason: "out of memory")
        }
        // Retained here, released in deinit after avformat_close_input: the callback may run
        // until the very end of the close.
        let dog = Unmanaged.passRetained(IOWatchdog(limitSeconds: stallLimit))
        ctx.pointee.interrupt_callback.callback = { opaque in
            guard let opaque else { return 0 }
            return Unmanaged<IOWatchdog>.fromOpaque(opaque).takeUnretainedValue().expired ? 1 : 0
        }
        ctx.pointee.interrupt_callback.opaque = dog.toOpaque()
        dog.takeUnretainedValue().arm()
        var maybeCtx: UnsafeMutablePointer<AVFormatContext>? = ctx
        let rc = avformat_open_input(&maybeCtx, path, nil, nil)
        guard rc >= 0, let opened = maybeCtx else {
            // avformat_open_input frees the context on failure.
            dog.release()
            throw FFmpeg.error(rc, .open, file: path, operation: "avformat_open_input")
        }
        context = opened
        watchdog = dog
        arm()
        // Every stored property is set from here on, so a throw runs deinit: it alone closes
        // the context and releases the watchdog (freeing them here too was a double free).
        let info = avformat_find_stream_info(opened, nil)
        if info < 0 { throw FFmpeg.error(info, .open, file: path, operation: "avformat_find_stream_info") }
    }

    deinit {
        var c: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&c)
        watchdog.release()
    }

    func arm() { watchdog.takeUnretainedValue().arm() }

    var streams: [UnsafeMutablePointer<AVStream>] {
        (0..<Int(context.pointee.nb_streams)).compactMap { context.pointee.streams[$0] }
    }

    /// Index of the main video stream, ignoring attached pictures (cover art).
    func bestVideoStream() throws -> Int32 {
        let idx = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        guard idx >= 0 else {
            throw DecodeError(.noVideoStream, file: path, operation: "av_find_best_stream",
                              reason: "no video stream in \(formatName)")
        }
        return idx
    }

    var formatName: String {
        context.pointee.iformat.map { String(cString: $0.pointee.name) } ?? "unknown container"
    }

    /// Reads the next packet; nil at end of file. A read error other than EOF is thrown.
    func read(into packet: UnsafeMutablePointer<AVPacket>) throws -> Bool {
        while true {
            arm()
            let rc = av_read_frame(context, packet)
            if rc >= 0 { return true }
            if rc == FFmpeg.eof { return false }
            if rc == FFmpeg.again { continue }
            throw FFmpeg.error(rc, .decode, file: path, operation: "av_read_frame")
        }
    }
}

/// Owns an AVPacket for a loop of reads.
final class Packet {
    let pointer: UnsafeMutablePointer<AVPacket>
    init() { pointer = av_packet_alloc() }
    deinit { var p: UnsafeMutablePointer<AVPacket>? = pointer; av_packet_free(&p) }
    func unref() { av_packet_unref(pointer) }
}

func dictionary(_ dict: OpaquePointer?) -> [String: String] {
    var out: [String: String] = [:]
    var entry: UnsafeMutablePointer<AVDictionaryEntry>? = nil
    while let e = av_dict_get(dict, "", entry, AV_DICT_IGNORE_SUFFIX) {
        out[String(cString: e.pointee.key)] = String(cString: e.pointee.value)
        entry = e
    }
    return out
}
