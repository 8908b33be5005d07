import PikaEngine

/// Reads a vectors file (`.fbin`) and, if given, a tenants file (`.u32bin`) with one tenant
/// per vector row; a malformed file or a row-count mismatch ends the command with exit status 2
/// and one line naming the file.
func readVectors(_ vectorsPath: String, tenants tenantsPath: String?) throws -> (Matrix<Float>, [UInt32]?) {
    do throws(InterchangeError) {
        let vectors = try BinaryMatrixFile.readFloats(vectorsPath)
        return (vectors, try readTenants(tenantsPath, rows: vectors.rows, of: vectorsPath))
    } catch {
        throw fail(error.description, status: 2)
    }
}

/// `readVectors` for vectors read once, in place: the `.fbin` file is mapped, not copied.
func mapVectors(_ vectorsPath: String, tenants tenantsPath: String?) throws -> (MappedFloatMatrix, [UInt32]?) {
    do throws(InterchangeError) {
        let vectors = try MappedFloatMatrix(path: vectorsPath)
        return (vectors, try readTenants(tenantsPath, rows: vectors.rows, of: vectorsPath))
    } catch {
        throw fail(error.description, status: 2)
    }
}

/// The tenants file's column, which must have one row per row of `vectorsPath`; nil without a file.
private func readTenants(_ tenantsPath: String?, rows: Int, of vectorsPath: String) throws(InterchangeError) -> [UInt32]? {
    guard let tenantsPath else { return nil }
    let tenants = try BinaryMatrixFile.readUInt32Column(tenantsPath)
    guard tenants.count == rows else {
        throw InterchangeError(path: tenantsPath, reason: "has \(tenants.count) rows but \(vectorsPath) has \(rows)")
    }
    return tenants
}
