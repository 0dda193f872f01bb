// swift-tools-version:6.0
import Foundation
import PackageDescription

// OpenVINO's headers and libraries come from the pinned wheel that `make setup` unpacks into
// models/openvino. SwiftPM drops -rpath from .pc files, so the run path is set here.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
let openvino = "\(root)/models/openvino"

// `make fuzz` sets FORENSIC_FUZZ: our Swift modules get libFuzzer coverage and AddressSanitizer,
// and forensic-fuzz links libFuzzer's main. Ordinary builds are untouched.
let fuzzing = ProcessInfo.processInfo.environment["FORENSIC_FUZZ"] != nil
let sanitized: [SwiftSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address"])] : []
// The modules that loop over pixels (decode and scaling, text regions, plate panels, tensor
// packing, the motion gate) are optimised in debug builds too, as the dlib shim is: unoptimised,
// `forensic plates` on a 10 s sample clip took 6.6x as long (108 vs 16 s), and the suite's
// indexing runs went with it. `-O` comes after SwiftPM's `-Onone`, so it wins; testing still works.
let pixelLoops: [SwiftSetting] = [.unsafeFlags(["-O"])]
// Optimised modules may carry code into their clients (cross-module optimisation), and with it
// RecognitionKit's import of OpenVINO's C headers: every module above it finds them too.
let openvinoHeaders: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-I\(openvino)/include"])]


let package = Package(
    name: "forensic",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "forensic", targets: ["forensic"]),
        .library(name: "VideoDecode", targets: ["VideoDecode"]),
        .library(name: "RecognitionKit", targets: ["RecognitionKit"]),
        .library(name: "IncidentStore", targets: ["IncidentStore"]),
        .library(name: "Investigation", targets: ["Investigation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/JohnSundell/Plot", from: "0.14.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // C interop: one small target per C library.
        .systemLibrary(
            name: "CFFmpeg",
            path: "Sources/CFFmpeg",
            pkgConfig: "libavformat libavcodec libswscale libavutil",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
        ),

        // dlib (C++) behind a plain C header, built with -O2 even in debug (HOG is ~150x slower
        // at -O0); BLAS/LAPACK by soname (Debian's dlib-1.pc names
        // files that do not exist).
        .target(
            name: "CDlibShim",
            cxxSettings: [.unsafeFlags(["-O2", "-std=c++17"])],
            linkerSettings: [.linkedLibrary("dlib"), .unsafeFlags(["-l:libblas.so.3", "-l:liblapack.so.3"])]
        ),

        // FAISS (C++, Debian's static libfaiss-dev with OpenMP) behind a plain C header, -O2 like dlib.
        .target(
            name: "CFaissShim",
            cxxSettings: [.unsafeFlags(["-O2", "-std=c++17"])],
            linkerSettings: [.unsafeFlags(["-l:libfaiss.a", "-l:libgomp.so.1", "-l:libblas.so.3", "-l:liblapack.so.3"])]
        ),

        .target(
            name: "COpenVINO",
            cSettings: [.unsafeFlags(["-I\(openvino)/include"])],
            linkerSettings: [.unsafeFlags(["-L\(openvino)/libs", "-l:libopenvino_c.so.2641",
                                           "-Xlinker", "-rpath", "-Xlinker", "\(openvino)/libs"])]
        ),

        // Stages.
        .target(name: "VideoDecode", dependencies: ["CFFmpeg"], swiftSettings: pixelLoops + sanitized),
        .target(
            name: "RecognitionKit",
            dependencies: ["VideoDecode", "CDlibShim", "COpenVINO", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Resources/plate-formats.json")],
            swiftSettings: openvinoHeaders + pixelLoops + sanitized
        ),

        // One SQLite file per incident: schema, ingest, search, audit log.
        .target(
            name: "IncidentStore",
            dependencies: [
                "RecognitionKit", "CFaissShim",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: openvinoHeaders + sanitized
        ),
        // Catalogue → decode → motion gate → plates/faces → sightings/tracks → store.
        .target(name: "Indexing", dependencies: ["VideoDecode", "RecognitionKit", "IncidentStore"], swiftSettings: openvinoHeaders + pixelLoops),
        // Watchlists: wanted people and vehicles, enrolment, interchange; one SQLite file.
        .target(
            name: "Watchlists",
            dependencies: [
                "VideoDecode", "RecognitionKit", "IncidentStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: openvinoHeaders + sanitized
        ),

        // Evidence bundles for courts: export (originals, clips, stills, signed manifest, custody,
        // report) and a verifier that needs neither the incident nor the models.
        .target(
            name: "Evidence",
            dependencies: [
                "VideoDecode", "IncidentStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Plot", package: "Plot"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: openvinoHeaders + sanitized
        ),

        // The archive index: nightly day files, their catalogue, shards, retention.
        .target(
            name: "Nightly",
            dependencies: ["VideoDecode", "RecognitionKit", "IncidentStore", "Indexing", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: openvinoHeaders + sanitized
        ),

        // The query layer every front end (CLI, workbench) asks through: a scope (an incident or an
        // archive index's days), plate and face search, routes, convoys, hits, audit, export.
        .target(
            name: "Investigation",
            dependencies: ["IncidentStore", "Nightly", "RecognitionKit", "Watchlists", "Evidence"],
            swiftSettings: openvinoHeaders + sanitized
        ),

        // The investigators' workbench (`forensic serve`): pages and a JSON API over the query
        // layer, people and roles, sessions, CSRF, the server's own audit log.
        .target(
            name: "Workbench",
            dependencies: [
                "Investigation", "IncidentStore", "Evidence", "RecognitionKit", "VideoDecode",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Plot", package: "Plot"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: openvinoHeaders + sanitized
        ),

        // Command-line tools.
        .executableTarget(
            name: "forensic",
            dependencies: [
                "VideoDecode", "RecognitionKit", "IncidentStore", "Indexing", "Watchlists", "Evidence", "Nightly", "Investigation", "Workbench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: openvinoHeaders
        ),
        // libFuzzer targets for every parser of outside data (`make fuzz`; see FuzzTargets.swift).
        .executableTarget(
            name: "forensic-fuzz",
            dependencies: ["VideoDecode", "RecognitionKit", "IncidentStore"],
            path: "Sources/ForensicFuzz",
            swiftSettings: openvinoHeaders + [.unsafeFlags(["-parse-as-library"] + (fuzzing ? ["-sanitize=fuzzer,address", "-DFUZZING"] : []))],
            linkerSettings: fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address"])] : []
        ),
        .executableTarget(
            name: "forensic-bench",
            dependencies: ["VideoDecode", "RecognitionKit", "IncidentStore", "Indexing", "Watchlists", "Nightly", "Investigation",
                           .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/ForensicBench",
            swiftSettings: openvinoHeaders
        ),

        // What every test target shares: paths, temporary folders, one process runner, the face engine.
        .target(name: "TestSupport", dependencies: ["RecognitionKit"], path: "Tests/TestSupport", swiftSettings: openvinoHeaders),
        .testTarget(name: "VideoDecodeTests", dependencies: ["VideoDecode", "TestSupport"]),
        .testTarget(name: "RecognitionKitTests", dependencies: ["RecognitionKit", "VideoDecode", "TestSupport"], swiftSettings: openvinoHeaders),
        .testTarget(name: "IncidentStoreTests", dependencies: ["IncidentStore", "Indexing", "Investigation", "RecognitionKit", "VideoDecode", "TestSupport",
                                                             .target(name: "forensic")], swiftSettings: openvinoHeaders),
        .testTarget(name: "EvidenceTests", dependencies: [
            "Evidence", "IncidentStore", "Investigation", "VideoDecode", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"), .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ], swiftSettings: openvinoHeaders),
        .testTarget(name: "WatchlistTests", dependencies: ["Watchlists", "IncidentStore", "RecognitionKit", "VideoDecode", "TestSupport"],
                    swiftSettings: openvinoHeaders),
        // Runs the built `forensic` executable: exit codes, stdout/stderr, JSON.
        .testTarget(name: "ForensicCLITests", dependencies: ["forensic", "TestSupport", .product(name: "Crypto", package: "swift-crypto")],
                    swiftSettings: openvinoHeaders),
    ],
    swiftLanguageModes: [.v6]
)
