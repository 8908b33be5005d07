import Foundation
import PikaEngine

/// A `.safetensors` file read in place: an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw tensor data.
///
/// The file is memory-mapped; tensors are not copied unless their data is misaligned for `Float`.
struct SafeTensorsFile: Sendable {
    /// One entry of the header.
    struct TensorInfo: Sendable, Equatable {
        let dtype: String
        let shape: [Int]
        /// Byte range relative to the start of the data section.
        let range: Range<Int>
    }

    let file: MappedFile
    let tensors: [String: TensorInfo]
    private let dataStart: Int

    /// Maps and indexes `path`, validating every tensor's byte range against the file.
    init(path: String) throws(EmbeddingError) {
        file = try MappedFile(path: path)
        let bytes = file.bytes
        func invalid(_ why: String) -> EmbeddingError {
            EmbeddingError(.modelInvalid, "\(path) is not a valid safetensors file: \(why)")
        }
        guard bytes.count >= 8 else { throw invalid("shorter than its 8-byte header length") }
        let headerLength = Int(UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self)))
        guard headerLength > 1, headerLength <= bytes.count - 8 else {
            throw invalid("header length \(headerLength) does not fit in \(bytes.count) bytes")
        }
        dataStart = 8 + headerLength
        let json = Data(bytes[8..<dataStart])
        guard let header = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else {
            throw invalid("header is not a JSON object")
        }
        let dataCount = bytes.count - dataStart
        var tensors: [String: TensorInfo] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int],
                offsets.count == 2
            else { throw invalid("tensor \(name) lacks dtype, shape or data_offsets") }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataCount else {
                throw invalid("tensor \(name) bytes \(offsets) lie outside the \(dataCount)-byte data section")
            }
            if let width = Self.byteWidth[dtype] {
                let expected = shape.reduce(width, *)
                guard offsets[1] - offsets[0] == expected else {
                    throw invalid(
                        "tensor \(name) has \(offsets[1] - offsets[0]) bytes, shape \(shape) \(dtype) needs \(expected)"
                    )
                }
            }
            tensors[name] = TensorInfo(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
        }
        self.tensors = tensors
    }

    /// The raw bytes of a tensor; valid while ``file`` is alive.
    func data(of info: TensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(
            rebasing: file.bytes[(dataStart + info.range.lowerBound)..<(dataStart + info.range.upperBound)])
    }

    private static let byteWidth: [String: Int] = [
        "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
    ]
}
