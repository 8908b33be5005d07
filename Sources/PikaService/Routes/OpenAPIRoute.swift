import Hummingbird

/// `GET /openapi.yaml`: the API description, compiled into the binary (no key needed).
struct OpenAPIRoute {
    func register(on router: Router<PikaRequestContext>) {
        router.get("/openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml + "\n")))
        }
    }
}
