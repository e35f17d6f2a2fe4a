/// How the reference pre-tokenizer's split regex sees one Unicode scalar.
///
/// The regex (`…|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`) runs on Oniguruma inside Hugging Face
/// `tokenizers`, where `\s` is the White_Space property and `\p{L}` / `\p{N}` are the
/// general categories L* / N*. Those are the same Unicode properties Swift exposes, but the
/// Unicode versions differ: the reference's tables are Unicode 16.0 while Swift 6.3 ships
/// Unicode 17.0. Scalars first assigned after 16.0 are unassigned to the reference, so they
/// fall into `other` here too. `Tests/Fixtures/clip-tokenizer/unicode-tables.json` records the
/// reference's class of every scalar and the tests compare all of them.
enum ScalarClass: Sendable {
    case letter
    case number
    case whitespace
    case other

    /// The newest Unicode version whose letters and numbers the reference regex knows.
    static let referenceUnicodeVersion: Unicode.Version = (major: 16, minor: 0)

    init(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        if value < 0x80 {
            switch value {
            case 0x61...0x7A, 0x41...0x5A: self = .letter
            case 0x30...0x39: self = .number
            case 0x09...0x0D, 0x20: self = .whitespace
            default: self = .other
            }
            return
        }
        let properties = scalar.properties
        if properties.isWhitespace {
            self = .whitespace
            return
        }
        let candidate: ScalarClass
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            candidate = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            candidate = .number
        default:
            self = .other
            return
        }
        guard let age = properties.age, age <= Self.referenceUnicodeVersion else {
            self = .other
            return
        }
        self = candidate
    }
}
