import Foundation
internal import CDlibShim

/// OpenBLAS picks its kernels from the CPU's model number, and Debian 12's OpenBLAS (0.3.21)
/// does not know some newer or virtualised CPUs: it falls back to "Prescott" (SSE3) kernels,
/// which run dlib's face descriptors ~1.5x and the watchlist's matrix products ~4x slower than
/// the AVX-512 ones the CPU has. The choice is made when the library loads, before `main`, and
/// only the `OPENBLAS_CORETYPE` variable overrides it — so a mis-detected run restarts itself
/// once with the variable set from the CPU's feature flags. A variable the operator set wins.
public enum BLASCore {
    /// The kernel set in use, or nil when the BLAS is not OpenBLAS.
    public static var name: String? { dlibshim_blas_core().map { String(cString: $0) } }

    /// The kernel set this CPU's flags call for, when OpenBLAS chose a weaker one.
    public static func better(than core: String, flags: Set<Substring>) -> String? {
        let avx512 = ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy { flags.contains(Substring($0)) }
        let avx2 = flags.contains("avx2") && flags.contains("fma")
        let wide = ["SkylakeX", "Cooperlake", "SapphireRapids", "Zen"]
        if avx512, !wide.contains(core) { return "SkylakeX" }
        if avx2, !avx512, !(wide + ["Haswell"]).contains(core) { return "Haswell" }
        return nil
    }

    /// Restarts this process (same arguments) with `OPENBLAS_CORETYPE` set when OpenBLAS
    /// mis-detected the CPU; returns when nothing needs doing or the restart is impossible.
    public static func restartIfMisdetected() {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, let core = name,
              let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let better = better(than: core, flags: Set(flagsLine.split(separator: " "))) else { return }
        setenv("OPENBLAS_CORETYPE", better, 1)
        let argv = CommandLine.unsafeArgv
        execv("/proc/self/exe", argv)   // returns only on failure: carry on with the slower kernels
    }
}
