// swift-tools-version:6.1
import PackageDescription

/// Strict settings applied to every target (see ../shared/STYLE.md).
let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "CRMGateway",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "crmgate", targets: ["crmgate"]),
        .library(name: "CRMImport", targets: ["CRMImport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    ],
    targets: [
        .target(name: "CRMModel"),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // The reader is one class driven by one thread (not Sendable): the runtime's exclusivity checks on its stored
        // properties were 15% of an XML scan's instructions (callgrind) and guard against nothing here.
        .target(
            name: "CRMXML", dependencies: ["CLibXML2"],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        // The CSV reader and writer are classes driven by one thread each: the runtime's exclusivity checks on their
        // stored properties were a tenth of a CSV export's samples (`perf`: swift_beginAccess, swift_endAccess, the
        // access set and its thread-local look-up) and see one thread's accesses only. The fuzz builds compile these
        // sources with the checks on (scripts/fuzz.sh).
        .target(name: "CRMCSV", swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .target(
            name: "CRMMapping",
            dependencies: ["CRMModel", "CRMCSV", .product(name: "Yams", package: "Yams")]),
        // The matcher compares pairs on every core through one class whose row arrays are only read while they do
        // (they are filled before): the runtime's exclusivity checks on those reads were 12% of a dedupe's
        // instructions (callgrind), and they see one thread's accesses only, so they guard nothing across threads.
        .target(
            name: "CRMDedupe", dependencies: ["CRMModel", "CPrefetch"],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        // A header of one inline function (a prefetch), nothing to link.
        .systemLibrary(name: "CPrefetch"),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CSQLiteTuning", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(
            name: "CRMStore",
            dependencies: [
                "CRMModel", "CLibPQ", "CSQLiteTuning",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "CRMHTTP", dependencies: ["CCurl", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "CRMSync",
            dependencies: [
                "CRMModel", "CRMStore", "CRMHTTP", "CRMMapping", "CRMDedupe",
                .product(name: "Yams", package: "Yams"), .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "CRMImport",
            dependencies: [
                "CRMModel", "CRMCSV", "CRMXML", "CRMMapping", "CRMDedupe", "CRMStore",
            ]),
        .target(
            name: "CRMExport",
            dependencies: [
                "CRMModel", "CRMStore", "CRMCSV", "CZlib", "CDeflate",
            ]),
        .target(
            name: "CRMWeb",
            dependencies: [
                "CRMModel", "CRMCSV", "CRMMapping", "CRMStore", "CRMImport", "CRMSync",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "crmgate",
            dependencies: [
                "CRMModel", "CRMCSV", "CRMMapping", "CRMStore", "CRMImport", "CRMExport", "CRMSync", "CRMHTTP",
                "CRMDedupe", "CRMWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "CRMTestSupport"),
        .testTarget(
            name: "CRMHTTPTests",
            dependencies: [
                "CRMHTTP", "CRMTestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]),
        .testTarget(
            name: "CRMSyncTests",
            dependencies: ["CRMSync", "CRMStore", "CRMModel", "CRMHTTP", "CRMTestSupport"]),
        .testTarget(name: "CRMModelTests", dependencies: ["CRMModel", "CRMTestSupport"]),
        .testTarget(name: "CRMCSVTests", dependencies: ["CRMCSV", "CRMTestSupport"]),
        .testTarget(name: "CRMXMLTests", dependencies: ["CRMXML", "CRMTestSupport"]),
        .testTarget(name: "CRMMappingTests", dependencies: ["CRMMapping", "CRMModel", "CRMTestSupport"]),
        .testTarget(name: "CRMDedupeTests", dependencies: ["CRMDedupe", "CRMModel", "CRMTestSupport"]),
        .testTarget(
            name: "CRMStoreTests",
            dependencies: ["CRMStore", "CRMModel", "CRMTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "CRMExportTests",
            dependencies: ["CRMExport", "CRMImport", "CRMStore", "CRMModel", "CRMCSV", "CRMTestSupport", "CZlib"]),
        .testTarget(
            name: "CRMWebTests",
            dependencies: [
                "CRMWeb", "CRMStore", "CRMModel", "CRMSync", "CRMImport", "CRMTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        .testTarget(
            name: "CRMImportTests",
            dependencies: [
                "CRMImport", "CRMDedupe", "CRMStore", "CRMModel", "CRMCSV", "CRMMapping", "CRMTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
    ]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + strictSettings
}
