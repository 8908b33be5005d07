// Reading a request body into a JSONValue, as the service does, timed per body.
// Built twice by bench.sh: against this tree's JSONReader, and (-D OLD_PATH) against an older
// revision's, with that revision's body path (copy into Data, validate UTF-8 through a String, parse).
import Foundation

let bodies: [(name: String, text: String)] = [
    ("search", #"{"user_id":"alice","query":"what does she like to eat on weekends?","limit":10,"mode":"hybrid"}"#),
    (
        "add-vi",
        #"{"user_id":"lan","async":true,"metadata":{"source":"chat","lang":"vi","tags":["gia đình","ăn uống"]},"messages":["#
            + (0..<12).map {
                #"{"role":"\#($0 % 2 == 0 ? "user" : "assistant")","content":"Em thích ăn phở bò vào cuối tuần với bà ngoại ở Hà Nội, lần \#($0) 🍜"}"#
            }
            .joined(separator: ",") + "]}"
    ),
    (
        "filters",
        #"{"user_id":"u1","query":"pets","filters":{"AND":[{"kind":"event"},{"OR":[{"created_at":{"gte":"2026-01-01T00:00:00Z"}},{"score":{"gt":0.25}}]}]},"limit":5}"#
    ),
]

@inline(never) func readBody(_ bytes: [UInt8]) -> Int {
    #if OLD_PATH
        let data = Data(bytes)
        guard String(data: data, encoding: .utf8) != nil else { return -1 }
        let value = try? data.withUnsafeBytes { try JSONReader.parse($0.bindMemory(to: UInt8.self)) }
    #else
        let value = try? JSONReader.parse(bytes)
    #endif
    return value?.objectValue?.count ?? -1
}

let iterations = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 200_000
for (name, text) in bodies {
    let bytes = Array(text.utf8)
    var sink = 0
    for _ in 0..<1_000 { sink &+= readBody(bytes) }
    let clock = ContinuousClock()
    let elapsed = clock.measure { for _ in 0..<iterations { sink &+= readBody(bytes) } }
    let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    print("\(name)\t\(bytes.count) B\t\(String(format: "%.0f", nanoseconds / Double(iterations))) ns\t(\(sink))")
}
