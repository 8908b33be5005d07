// swift-tools-version: 6.2
// Embedding benchmarks and the SciFact NDCG@10 check, kept out of the main package so CI never
// builds them. Run from the repository root:
//   Benchmarks/embeddings/run.sh [speed]    (speed, beside the numpy reference)
//   Benchmarks/embeddings/run.sh scifact    (NDCG@10 on ../shared/eval/scifact, several minutes)
import PackageDescription

let package = Package(
    name: "embedding-benchmarks",
    dependencies: [.package(name: "pika-memory", path: "../..")],
    targets: [
        .executableTarget(
            name: "embedding-bench",
            dependencies: [.product(name: "PikaEmbeddings", package: "pika-memory")]),
        .executableTarget(
            name: "scifact-ndcg",
            dependencies: [.product(name: "PikaEmbeddings", package: "pika-memory")]),
    ],
    swiftLanguageModes: [.v6]
)
