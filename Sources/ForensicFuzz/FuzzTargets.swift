// forensic-fuzz: libFuzzer targets for every parser that reads outside data. Built only by
// `make fuzz` (FORENSIC_FUZZ=1 turns on -sanitize=fuzzer,address in Package.swift); the target is
// chosen by $FUZZ_TARGET. Every target must return normally for any input: a thrown error is the
// expected answer to bad data; a crash, a sanitizer report, a leak or a hang is a bug.
import Foundation
import IncidentStore
import RecognitionKit
import VideoDecode

/// The targets, by name (`FUZZ_TARGET`), and the file name extension their input is written with.
nonisolated(unsafe) let targets: [String: (ext: String, run: (String, Data) -> Void)] = [
    // Open + probe + a few decoded frames of any container/codec FFmpeg recognises.
    "media": ("bin", { path, _ in
        _ = try? MediaProbe.probe(path)
        var frames = 0
        _ = try? VideoDecoder(path: path).decode { frame in
            _ = try frame.image(.gray, maxWidth: 64)
            frames += 1
            return frames < 3
        }
    }),
    // Still images (JPEG, PNG, BMP headers and bodies).
    "still": ("img", { path, _ in _ = try? StillImage.load(path) }),
    // The camera registry CSV.
    "cameras": ("csv", { path, _ in _ = try? CameraRegistry.load(path) }),
    // Archive layout templates, and a path matched against the default layout.
    "layout": ("txt", { _, data in
        let text = String(decoding: data, as: UTF8.self)
        let zone = TimeZone(identifier: "Asia/Karachi")!
        if let layout = try? ArchiveLayout(text, timeZone: zone) { _ = layout.match("CAM01/2026-11-20/140000.mp4") }
        _ = (try? ArchiveLayout(timeZone: zone))?.match(text)
    }),
    // Plate search patterns and time arguments, as typed by a user.
    "query": ("txt", { _, data in
        let text = String(decoding: data, as: UTF8.self)
        _ = try? PlatePattern(text)
        _ = parseISOTime(text)
        _ = PlateGrammar.normalise(text)
    }),
    // A damaged incident file: opened, summarised, searched.
    "incident": ("forensic", { path, _ in
        guard let incident = try? Incident(path: path) else { return }
        _ = try? incident.info()
        _ = try? incident.searchPlates(PlatePattern("BKN123"))
    }),
    // The ONNX metadata walker (protobuf, read by hand).
    "onnx": ("onnx", { path, _ in _ = try? ONNXMetadata.read(path) }),
]

let selected: String = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("forensic-fuzz-\(getpid())")

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let target = targets[selected] else {
        FileHandle.standardError.write(Data("forensic-fuzz: set FUZZ_TARGET to one of \(targets.keys.sorted())\n".utf8))
        exit(64)
    }
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    // The parsers read files, as they do in production: the input goes through a temporary file.
    try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    let file = scratch.appendingPathComponent("input.\(target.ext)")
    for suffix in ["", "-wal", "-shm", "-faces"] { try? FileManager.default.removeItem(atPath: file.path + suffix) }
    guard (try? data.write(to: file)) != nil else { return 0 }
    target.run(file.path, data)
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links an executable's entry point as `<module>_main`; here it hands over to libFuzzer.
@_cdecl("forensic_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzOneInput)
}
#else
@main
struct FuzzNotBuilt {
    static func main() {
        FileHandle.standardError.write(Data("forensic-fuzz: built without the fuzzer; run `make fuzz`\n".utf8))
        exit(64)
    }
}
#endif
