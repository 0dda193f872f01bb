/// An export or verification failure that names the file (or item) and the reason: one line.
public struct EvidenceError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let reason: String
    public init(_ file: String, _ reason: String) { self.file = file; self.reason = reason }
    public var description: String { "\(file): \(reason)" }
}
