// swift-tools-version:6.0
import PackageDescription

// Debug builds of C shims still get optimisation: dlib's HOG is ~150x slower at -O0.
let optimisedC: [CSetting] = [.unsafeFlags(["-O2"])]

let package = Package(
    name: "forensic",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "forensic", targets: ["forensic"]),
        .library(name: "VideoDecode", targets: ["VideoDecode"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // C interop: one small target per C library.
        .systemLibrary(
            name: "CFFmpeg",
            path: "Sources/CFFmpeg",
            pkgConfig: "libavformat libavcodec libswscale libavutil",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
        ),

        // Stages.
        .target(name: "VideoDecode", dependencies: ["CFFmpeg"]),

        // Command-line tools.
        .executableTarget(
            name: "forensic",
            dependencies: [
                "VideoDecode",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "forensic-bench", dependencies: ["VideoDecode"], path: "Sources/ForensicBench"),

        .testTarget(name: "VideoDecodeTests", dependencies: ["VideoDecode"]),
    ],
    swiftLanguageModes: [.v6]
)
