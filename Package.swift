// swift-tools-version: 6.0
import PackageDescription

/// firedrill: a fault-tolerance lab for real-time stream processing.
/// Dependencies point one way: Integrity <- Engine <- Flink <- Drills <- Dashboard <- Terminal <- firedrill.
let package = Package(
    name: "firedrill",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "firedrill", targets: ["firedrill"]),
        .library(name: "Integrity", targets: ["Integrity"]),
        .library(name: "Engine", targets: ["Engine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Hot kernels in C: CRC32C (SSE4.2 + PCLMULQDQ, slicing-by-8 fallback) and GF(2^8)
        // region multiply-add (GFNI/AVX-512, AVX2, SSSE3, scalar), picked at run time.
        // Always optimised, even in debug builds, so tests over millions of bytes stay quick.
        .target(
            name: "CIntegrity",
            cSettings: [.unsafeFlags(["-O3", "-fno-strict-aliasing"])]
        ),
        .target(name: "Integrity", dependencies: ["CIntegrity"]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .target(name: "Engine", dependencies: ["Integrity", "CSQLite"]),
        .target(name: "Flink", dependencies: ["Engine", "Integrity"]),
        .target(name: "Drills", dependencies: ["Engine", "Flink"]),
        .target(name: "Dashboard", dependencies: ["Drills", "Engine", "Flink"]),
        .systemLibrary(name: "CNCurses", path: "Sources/CNCurses"),
        .target(name: "Terminal", dependencies: ["Dashboard", "Drills", "CNCurses"]),
        .executableTarget(
            name: "firedrill",
            dependencies: [
                "Integrity", "Engine", "Flink", "Drills", "Dashboard", "Terminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "IntegrityTests", dependencies: ["Integrity", "CIntegrity"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Integrity"]),
        .testTarget(name: "FlinkTests", dependencies: ["Flink", "Engine"], exclude: ["Fixtures"]),
        .testTarget(name: "DrillsTests", dependencies: ["Drills", "Engine"], exclude: ["DrillParity.json", "Golden"]),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "Drills", "Engine"]),
        .testTarget(name: "FiredrillTests", dependencies: ["firedrill"]),
    ]
)
