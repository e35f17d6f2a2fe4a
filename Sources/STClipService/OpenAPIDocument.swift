/// The service's OpenAPI document, `openapi.yaml` at the repository root, compiled into the
/// binary so that `GET /openapi.yaml` answers without any file beside the executable.
enum OpenAPIDocument {
    static let yaml: String = String(decoding: PackageResources.openapi_yaml, as: UTF8.self)
}
