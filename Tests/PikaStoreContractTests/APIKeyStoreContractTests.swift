import PikaMemory
import Testing

/// ``APIKeyStore``: the same behaviour on SQLite and PostgreSQL.
@Suite("APIKeyStore contract")
struct APIKeyStoreContractTests {
    @Test(
        "a key is found by its hash; an unknown hash finds nothing; inserting a hash again replaces it",
        arguments: StoreBackend.allCases)
    func lookupAndReplace(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let keys = stores.keys()
            let admin = APIKeyRecord(id: "key_1", hash: String(repeating: "a", count: 64), tenant: "t1", role: .admin)
            let reader = APIKeyRecord(id: "key_2", hash: String(repeating: "b", count: 64), tenant: "t2", role: .read)
            try await keys.insert(admin)
            try await keys.insert(reader)
            #expect(try await keys.key(hash: admin.hash) == admin)
            #expect(try await keys.key(hash: reader.hash) == reader)
            #expect(try await keys.key(hash: String(repeating: "c", count: 64)) == nil)
            let demoted = APIKeyRecord(id: "key_1", hash: admin.hash, tenant: "t1", role: .write)
            try await keys.insert(demoted)
            #expect(try await keys.key(hash: admin.hash) == demoted)
        }
    }
}
