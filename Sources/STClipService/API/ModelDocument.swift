/// The served model, as named in responses.
struct ModelDocument: Encodable, Sendable {
    var id: String
    var type: String

    init(_ info: ModelInfo) {
        id = info.id
        type = info.type
    }
}
