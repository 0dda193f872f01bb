internal import CFFmpeg
import Foundation

/// The one place that turns FFmpeg return codes into `DecodeError`s.
enum FFmpeg {
    static let eof = cffmpeg_averror_eof()
    static let again = cffmpeg_averror_eagain()
    static let exit = cffmpeg_averror_exit()
    static let noPTS = cffmpeg_nopts_value()

    static func message(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        return buffer.withUnsafeMutableBufferPointer { buf in
            String(cString: cffmpeg_err2str(code, buf.baseAddress, buf.count))
        }
    }

    /// Throws when `code` is negative; `kind` says what the failure means to the caller.
    @discardableResult
    static func check(_ code: Int32, _ kind: DecodeError.Kind, file: String,
                      operation: StaticString = #function) throws -> Int32 {
        guard code < 0 else { return code }
        throw error(code, kind, file: file, operation: "\(operation)")
    }

    static func error(_ code: Int32, _ kind: DecodeError.Kind, file: String, operation: String) -> DecodeError {
        if code == exit {
            return DecodeError(.timeout, file: file, operation: operation, code: code,
                               reason: "read stalled past the time limit")
        }
        return DecodeError(kind, file: file, operation: operation, code: code, reason: message(code))
    }

    static func seconds(_ ts: Int64, _ tb: AVRational) -> Double? {
        guard ts != noPTS, tb.den != 0 else { return nil }
        return Double(ts) * Double(tb.num) / Double(tb.den)
    }

    static func double(_ r: AVRational) -> Double? {
        guard r.den != 0, r.num != 0 else { return nil }
        return Double(r.num) / Double(r.den)
    }

    /// Silences FFmpeg's own stderr chatter once per process; errors reach the caller as
    /// `DecodeError`s and counters instead. (The log callback runs on decoder threads.)
    static let quietLogging: Void = { av_log_set_level(AV_LOG_QUIET) }()
}

/// Checks a path before FFmpeg sees it, so the common mistakes get plain reasons.
func preflight(_ path: String) throws {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        throw DecodeError(.notFound, file: path, operation: "open", reason: "no such file")
    }
    if isDir.boolValue {
        throw DecodeError(.notAFile, file: path, operation: "open", reason: "is a directory, not a file")
    }
    guard FileManager.default.isReadableFile(atPath: path) else {
        throw DecodeError(.unreadable, file: path, operation: "open", reason: "permission denied")
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? -1
    if size == 0 {
        throw DecodeError(.empty, file: path, operation: "open", reason: "file is empty (0 bytes)")
    }
}
