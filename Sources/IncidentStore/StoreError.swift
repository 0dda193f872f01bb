import GRDB
/// A failure of the incident store, naming the file (incident, camera list, photo) concerned.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let reason: String
    public init(file: String, reason: String) { self.file = file; self.reason = reason }
    public var description: String { "\(file): \(reason)" }
}

/// Whether `error` means the incident file cannot be written at all (disk full, quota, read-only
/// or vanished folder, I/O error): no file can be saved until an operator acts, so a run stops
/// instead of marking every remaining file failed.
public func isStorageFailure(_ error: Error) -> Bool {
    guard let e = error as? DatabaseError else { return false }
    return [.SQLITE_FULL, .SQLITE_READONLY, .SQLITE_IOERR, .SQLITE_CANTOPEN].contains(e.resultCode)
}
