import PikaEngine

/// Reads a vectors file (`.fbin`) and, if given, a tenants file (`.u32bin`) with one tenant
/// per vector row; a malformed file or a row-count mismatch ends the command with exit status 2
/// and one line naming the file.
func readVectors(_ vectorsPath: String, tenants tenantsPath: String?) throws -> (Matrix<Float>, [UInt32]?) {
    do throws(InterchangeError) {
        let vectors = try BinaryMatrixFile.readFloats(vectorsPath)
        guard let tenantsPath else { return (vectors, nil) }
        let tenants = try BinaryMatrixFile.readUInt32Column(tenantsPath)
        guard tenants.count == vectors.rows else {
            throw InterchangeError(
                path: tenantsPath, reason: "has \(tenants.count) rows but \(vectorsPath) has \(vectors.rows)")
        }
        return (vectors, tenants)
    } catch {
        throw fail(error.description, status: 2)
    }
}
