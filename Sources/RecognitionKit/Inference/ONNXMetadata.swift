import Foundation

/// Reads `metadata_props` from an ONNX file. OpenVINO's C API does not expose them, and the
/// PP-OCR recogniser keeps its character list there (key `character`). Only the top level of the
/// ModelProto is walked (field 14: repeated StringStringEntryProto {1: key, 2: value}); the graph
/// and weights are skipped by length, so no protobuf library is needed for this one lookup.
public enum ONNXMetadata {
    public static func read(_ path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RecognitionError(.modelMissing, file: path, reason: "cannot read model file (run `\(ModelStore.setupCommand)`)")
        }
        return try data.withUnsafeBytes { raw -> [String: String] in
            let bytes = raw.bindMemory(to: UInt8.self)
            var result: [String: String] = [:]
            var reader = ProtoReader(bytes: bytes, start: 0, end: bytes.count)
            while let (field, wire) = try reader.nextTag() {
                if field == 14 && wire == 2 {
                    let (s, e) = try reader.lengthDelimited()
                    var entry = ProtoReader(bytes: bytes, start: s, end: e)
                    var key = "", value = ""
                    while let (f, w) = try entry.nextTag() {
                        if w == 2 {
                            let (a, b) = try entry.lengthDelimited()
                            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[a..<b]), as: UTF8.self)
                            if f == 1 { key = text } else if f == 2 { value = text }
                        } else { try entry.skip(wire: w) }
                    }
                    result[key] = value
                } else {
                    try reader.skip(wire: wire)
                }
            }
            return result
        }
    }
}

private struct ProtoReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var pos: Int
    let end: Int

    init(bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) { self.bytes = bytes; pos = start; self.end = end }

    struct Malformed: Error {}

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while pos < end {
            let b = bytes[pos]; pos += 1
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw Malformed() }
        }
        throw Malformed()
    }

    mutating func nextTag() throws -> (Int, Int)? {
        guard pos < end else { return nil }
        let tag = try varint()
        return (Int(tag >> 3), Int(tag & 7))
    }

    mutating func lengthDelimited() throws -> (Int, Int) {
        // A length past the end (or past Int: a damaged file) is malformed, not a trap.
        guard let n = Int(exactly: try varint()), n <= end - pos else { throw Malformed() }
        defer { pos += n }
        return (pos, pos + n)
    }

    mutating func skip(wire: Int) throws {
        switch wire {
        case 0: _ = try varint()
        case 1: pos += 8
        case 2: _ = try lengthDelimited()
        case 5: pos += 4
        default: throw Malformed()
        }
        guard pos <= end else { throw Malformed() }
    }
}
