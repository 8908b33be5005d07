import CLibPQ
import Foundation

/// libpq's functions, resolved from `libpq.so.5` the first time a PostgreSQL connection is made.
///
/// The binary does not link libpq: libpq pulls in 21 more shared libraries (Kerberos, LDAP, GnuTLS,
/// OpenSSL, some bound eagerly), whose loading cost every `pika` process 5–10 ms of start-up, although
/// only a deployment with `PIKA_POSTGRES_URL` uses them (docs/benchmarks.md, the whole-process row).
/// The `CLibPQ` shim still supplies libpq's types and constants; only the calls go through here.
struct LibPQ: Sendable {
    /// The shared library opened, as Debian's `libpq5` package installs it.
    static let soname = "libpq.so.5"

    typealias Connection = OpaquePointer
    typealias QueryResult = OpaquePointer
    typealias CStrings = UnsafePointer<UnsafePointer<CChar>?>?

    let connectdbParams: @convention(c) (CStrings, CStrings, Int32) -> Connection?
    let status: @convention(c) (Connection?) -> ConnStatusType
    let finish: @convention(c) (Connection?) -> Void
    let socket: @convention(c) (Connection?) -> Int32
    let errorMessage: @convention(c) (Connection?) -> UnsafeMutablePointer<CChar>?
    let execParams:
        @convention(c) (
            Connection?, UnsafePointer<CChar>?, Int32, UnsafePointer<Oid>?, CStrings, UnsafePointer<Int32>?,
            UnsafePointer<Int32>?, Int32
        ) -> QueryResult?
    let exec: @convention(c) (Connection?, UnsafePointer<CChar>?) -> QueryResult?
    let consumeInput: @convention(c) (Connection?) -> Int32
    let notifies: @convention(c) (Connection?) -> UnsafeMutablePointer<PGnotify>?
    let freemem: @convention(c) (UnsafeMutableRawPointer?) -> Void
    let clear: @convention(c) (QueryResult?) -> Void
    let resultStatus: @convention(c) (QueryResult?) -> ExecStatusType
    let resultErrorField: @convention(c) (QueryResult?, Int32) -> UnsafeMutablePointer<CChar>?
    let cmdTuples: @convention(c) (QueryResult?) -> UnsafeMutablePointer<CChar>?
    let ntuples: @convention(c) (QueryResult?) -> Int32
    let nfields: @convention(c) (QueryResult?) -> Int32
    let getisnull: @convention(c) (QueryResult?, Int32, Int32) -> Int32
    let getvalue: @convention(c) (QueryResult?, Int32, Int32) -> UnsafeMutablePointer<CChar>?

    /// The functions, loading the library on first use; the outcome (either way) is kept for the process.
    static func loaded() throws(PostgresError) -> LibPQ {
        try shared.get()
    }

    private static let shared: Swift.Result<LibPQ, PostgresError> = Swift.Result { () throws(PostgresError) in
        try LibPQ(opening: soname)
    }

    init(opening name: String) throws(PostgresError) {
        // RTLD_LOCAL: libpq's symbols (and its libraries') stay out of the global namespace. The handle is
        // never closed: the functions stay in use until the process exits.
        guard let library = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            throw PostgresError(
                .configuration, message: "cannot load \(name) (Debian package libpq5) for PIKA_POSTGRES_URL: \(reason)")
        }
        func symbol<F>(_ name: String) throws(PostgresError) -> F {
            guard let address = dlsym(library, name) else {
                throw PostgresError(.configuration, message: "\(Self.soname) lacks \(name): libpq too old?")
            }
            return unsafeBitCast(address, to: F.self)
        }
        connectdbParams = try symbol("PQconnectdbParams")
        status = try symbol("PQstatus")
        finish = try symbol("PQfinish")
        socket = try symbol("PQsocket")
        errorMessage = try symbol("PQerrorMessage")
        execParams = try symbol("PQexecParams")
        exec = try symbol("PQexec")
        consumeInput = try symbol("PQconsumeInput")
        notifies = try symbol("PQnotifies")
        freemem = try symbol("PQfreemem")
        clear = try symbol("PQclear")
        resultStatus = try symbol("PQresultStatus")
        resultErrorField = try symbol("PQresultErrorField")
        cmdTuples = try symbol("PQcmdTuples")
        ntuples = try symbol("PQntuples")
        nfields = try symbol("PQnfields")
        getisnull = try symbol("PQgetisnull")
        getvalue = try symbol("PQgetvalue")
    }
}
