import Foundation

/// A failure to read one piece of evidence. The message always names the file and the reason,
/// so a batch over thousands of files can report it on one line and go on with the next.
public struct DecodeError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case notFound = "not_found"
        case notAFile = "not_a_file"
        case unreadable
        case empty
        case open
        case noVideoStream = "no_video_stream"
        case unsupportedCodec = "unsupported_codec"
        case decode
        case noFrame = "no_frame"
        case tooLarge = "too_large"
        case timeout
        case write
        case invalidArgument = "invalid_argument"
    }

    public let kind: Kind
    /// The path as the caller gave it.
    public let file: String
    /// The FFmpeg call or step that failed, e.g. `avformat_open_input`.
    public let operation: String
    /// FFmpeg's (negative) error code, when there is one.
    public let code: Int32?
    /// Human-readable reason, e.g. FFmpeg's own text for the code.
    public let reason: String

    public init(_ kind: Kind, file: String, operation: String, code: Int32? = nil, reason: String) {
        self.kind = kind
        self.file = file
        self.operation = operation
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(file): \(reason) (\(operation))" }
}
