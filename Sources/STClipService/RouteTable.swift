/// The API's route templates and their methods, for answering 405 with `Allow`.
struct RouteTable: Sendable {
    /// Every route `buildRouter` registers.
    static let service: RouteTable = {
        var table = RouteTable()
        for path in ["/healthz", "/readyz", "/metrics", "/openapi.yaml", "/v1/labelsets"] { table.add(path, methods: ["GET"]) }
        table.add("/v1/classify", methods: ["POST"])
        table.add("/v1/embeddings/text", methods: ["POST"])
        table.add("/v1/labelsets/{name}", methods: ["GET", "PUT", "DELETE"])
        table.add("/v1/labelsets/{name}/labels", methods: ["POST"])
        table.add("/v1/labelsets/{name}/labels/{label}", methods: ["DELETE"])
        return table
    }()

    private var routes: [(segments: [Substring], methods: [String])] = []

    /// `template` uses `{name}` for a path segment parameter.
    mutating func add(_ template: String, methods: [String]) {
        routes.append((template.split(separator: "/"), methods))
    }

    /// The methods some route allows on `path` (empty: no route has this path).
    func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/")
        var out: [String] = []
        for route in routes where route.segments.count == segments.count {
            let matches = zip(route.segments, segments).allSatisfy { template, segment in
                (template.hasPrefix("{") && template.hasSuffix("}")) || template == segment
            }
            if matches { out += route.methods }
        }
        return out
    }
}
