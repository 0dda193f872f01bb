import Foundation

/// Derived files beside an incident (face vectors, plate-key summaries): written whole under a
/// temporary name, mode 0600, then renamed, so a reader never sees half a file.
enum PrivateFile {
    /// Writes `data` to `path` atomically; false when it cannot (the caller decides whether that matters).
    /// By hand, not `FileManager.createFile(contents:)`: on Linux that writes zeros past 2 GiB
    /// (measured: a 5 M-face vector file came out with its tail zeroed and was rebuilt by every search).
    static func replace(_ path: String, with data: Data, chunk: Int = 1 << 30) -> Bool {
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(Incident.privateFileMode))
        guard fd >= 0 else { return false }
        let written = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, min(chunk, raw.count - offset))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                offset += n
            }
            return true
        }
        guard close(fd) == 0, written, rename(tmp, path) == 0 else { unlink(tmp); return false }
        return true
    }
}
