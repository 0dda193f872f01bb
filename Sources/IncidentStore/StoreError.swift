/// A failure of the incident store, naming the file (incident, camera list, photo) concerned.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let reason: String
    public init(file: String, reason: String) { self.file = file; self.reason = reason }
    public var description: String { "\(file): \(reason)" }
}
