/// The body of `PUT /v1/labelsets/{name}`: `{"labels": [{"label": "...", "descriptions": [...]}]}`.
struct LabelSetBody: Decodable, Sendable {
    var labels: [LabelEntry]
}
