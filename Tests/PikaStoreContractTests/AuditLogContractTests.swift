import PikaMemory
import Testing

/// ``AuditLog``: the same behaviour on SQLite and PostgreSQL.
@Suite("AuditLog contract")
struct AuditLogContractTests {
    @Test("entries read back whole, newest first, limited, per tenant", arguments: StoreBackend.allCases)
    func appendAndList(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let audit = try stores.audit()
            let created = AuditEntry(
                tenant: "t1", actor: "key_admin", action: AuditEntry.Action.keyCreated, target: "key_9",
                detail: ["role": .string("write")], createdAt: t0)
            let deleted = AuditEntry(
                tenant: "t1", actor: "key_admin", action: AuditEntry.Action.userDeleted, target: "u1",
                detail: ["memories": .number(12), "ok": .bool(true)], createdAt: t0 + 1.5)
            let imported = AuditEntry(
                tenant: "t1", actor: "key_w", action: AuditEntry.Action.memoriesImported, target: "ü-2",
                detail: ["count": .number(3), "note": .string("naïve \"quoted\"")], createdAt: t0 + 2)
            let elsewhere = AuditEntry(
                tenant: "t2", actor: "cli", action: AuditEntry.Action.keyCreated, target: nil,
                createdAt: t0 + 3)
            for entry in [created, deleted, imported, elsewhere] { try await audit.record(entry) }
            #expect(try await audit.entries(tenant: "t1", limit: 10) == [imported, deleted, created])
            #expect(try await audit.entries(tenant: "t1", limit: 2) == [imported, deleted])
            #expect(try await audit.entries(tenant: "t2", limit: 10) == [elsewhere])
            #expect(try await audit.entries(tenant: "t3", limit: 10).isEmpty)
        }
    }
}
