/// `GET /v1/labelsets`: every label set without its labels, by name.
struct LabelSetList: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        var name: String
        var version: Int
        var builtin: Bool
        var labelCount: Int

        enum CodingKeys: String, CodingKey {
            case name, version, builtin
            case labelCount = "label_count"
        }
    }

    var labelsets: [Item]

    init(_ summaries: [LabelSetSummary]) {
        labelsets = summaries.map { Item(name: $0.name, version: $0.version, builtin: $0.builtin, labelCount: $0.labelCount) }
    }
}
