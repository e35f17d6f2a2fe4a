import Foundation
import STClipLabelSets
import STClipModels
import STClipTestSupport
import STClipTokenizer
import XCTest

/// The built-in label sets as shipped: the official class lists, and descriptions that are there,
/// distinct, concrete and short enough for CLIP's text tower.
final class BuiltinLabelSetTests: XCTestCase {
    static let expectedCounts = ["kinetics400": 400, "minikinetics200": 200, "ucf101": 101, "hmdb51": 51]

    func testEverySetHasItsOfficialNumberOfDistinctClasses() throws {
        XCTAssertEqual(BuiltinLabelSets.names.sorted(), Self.expectedCounts.keys.sorted())
        for set in try BuiltinLabelSets.all() {
            XCTAssertEqual(set.classes.count, Self.expectedCounts[set.name], set.name)
            XCTAssertEqual(Set(set.classNames).count, set.classes.count, "\(set.name): repeated names")
            XCTAssertEqual(Set(set.classes.map { $0.text.lowercased() }).count, set.classes.count, "\(set.name): repeated texts")
        }
    }

    /// The resource must hold exactly the lists under Scripts/labelsets/names, which record their sources.
    func testClassListsEqualTheRecordedOfficialLists() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let names = root.appendingPathComponent("Scripts/labelsets/names")
        for set in try BuiltinLabelSets.all() {
            let text = try String(contentsOf: names.appendingPathComponent("\(set.name).txt"), encoding: .utf8)
            let official = text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
            XCTAssertEqual(set.classNames, official, set.name)
        }
    }

    /// The resource must be what Scripts/labelsets/build.py makes of the description sources, so an
    /// edit there cannot be forgotten in the JSON (run the script after editing).
    func testDescriptionsEqualTheirSources() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("Scripts/labelsets/descriptions")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        for (set, prefix) in [("kinetics400", "kinetics400"), ("minikinetics200", "kinetics400"), ("ucf101", "ucf101"), ("hmdb51", "hmdb51")] {
            var sources: [String: ClassDefinition] = [:], current: (name: String, text: String, descriptions: [String])?
            func flush() { if let c = current { sources[c.name] = ClassDefinition(name: c.name, text: c.text, descriptions: c.descriptions) } }
            for file in files where file.hasPrefix("\(prefix)-") && file.hasSuffix(".txt") {
                for line in try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8).split(separator: "\n") {
                    if line.hasPrefix("#") { continue }
                    if line.hasPrefix("- ") {
                        current?.descriptions.append(String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces))
                    } else {
                        flush()
                        let parts = line.components(separatedBy: " = ")
                        current = (parts[0], parts.count > 1 ? parts[1] : parts[0], [])
                    }
                }
            }
            flush()
            for c in try BuiltinLabelSets.load(set).classes { XCTAssertEqual(c, sources[c.name], "\(set)/\(c.name): rebuild the JSON") }
        }
    }

    func testOfficialSpellingsAndOrder() throws {
        let k400 = try BuiltinLabelSets.load("kinetics400")
        XCTAssertEqual(k400.classNames.first, "abseiling")
        XCTAssertEqual(k400.classNames.last, "zumba")
        XCTAssertEqual(k400.classNames.sorted(), k400.classNames, "Kinetics-400 is listed alphabetically")
        for name in ["passing American football (in game)", "skiing (not slalom or crosscountry)", "massaging person's head"] {
            XCTAssertTrue(k400.classNames.contains(name), name)
        }
        let ucf = try BuiltinLabelSets.load("ucf101")
        XCTAssertEqual(Array(ucf.classNames.prefix(3)), ["ApplyEyeMakeup", "ApplyLipstick", "Archery"])
        XCTAssertEqual(ucf.classNames.last, "YoYo")
        XCTAssertEqual(ucf.classes[0].text, "applying eye makeup")
        XCTAssertTrue(ucf.classes.allSatisfy { $0.text.range(of: "[A-Z]", options: .regularExpression) == nil },
                      "UCF101 texts are lower-case words, not CamelCase")
        let hmdb = try BuiltinLabelSets.load("hmdb51")
        XCTAssertEqual(hmdb.classNames.first, "brush_hair")
        XCTAssertTrue(hmdb.classNames.contains("sword_exercise"))
        XCTAssertTrue(hmdb.classes.allSatisfy { !$0.text.contains("_") })
    }

    func testMiniKineticsIsAKinetics400SubsetWithTheSameDescriptions() throws {
        let k400 = try BuiltinLabelSets.load("kinetics400")
        let mini = try BuiltinLabelSets.load("minikinetics200")
        let byName = Dictionary(uniqueKeysWithValues: k400.classes.map { ($0.name, $0) })
        for c in mini.classes { XCTAssertEqual(byName[c.name], c, c.name) }
        let order = mini.classNames.map { k400.classNames.firstIndex(of: $0)! }
        XCTAssertEqual(order, order.sorted(), "Mini-Kinetics-200 keeps Kinetics-400's order")
    }

    func testEveryClassHasTwoToFourConcreteDescriptions() throws {
        let filler = try NSRegularExpression(pattern: #"^(a|an|the) (video|photo|clip|picture) of\b|\bthis (video|clip) (shows|is about)\b|\b(todo|tbd|lorem)\b"#,
                                             options: [.caseInsensitive])
        for set in try BuiltinLabelSets.all() {
            var owner: [String: String] = [:]
            for c in set.classes {
                XCTAssertTrue((2...4).contains(c.descriptions.count), "\(set.name)/\(c.name): \(c.descriptions.count) descriptions")
                for d in c.descriptions {
                    XCTAssertFalse(d.trimmingCharacters(in: .whitespaces).isEmpty, "\(set.name)/\(c.name): empty description")
                    XCTAssertNil(filler.firstMatch(in: d, range: NSRange(d.startIndex..., in: d)), "\(set.name)/\(c.name): filler \"\(d)\"")
                    XCTAssertNotEqual(d.lowercased(), c.text.lowercased())
                    XCTAssertNil(d.wholeMatch(of: /(It|They|This|These|He|She)\b.*/), "\(set.name)/\(c.name): embedded alone, \"\(d)\" says nothing of its subject")
                    let sentences = d.split(separator: /[.!?](?=\s|$)/).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
                    XCTAssertTrue((1...3).contains(sentences.count) && ".!?".contains(d.last!), "\(set.name)/\(c.name): \"\(d)\"")
                    XCTAssertGreaterThanOrEqual(d.split(separator: " ").count, 6, "\(set.name)/\(c.name): too short to describe anything: \"\(d)\"")
                    XCTAssertNil(owner[d], "\(set.name): \(c.name) repeats a description of \(owner[d] ?? "")")
                    owner[d] = c.name
                }
            }
        }
    }

    /// Boilerplate shared between classes pulls their embeddings together; no sentence may recur.
    func testNoSentenceIsSharedBetweenClassesOfASet() throws {
        for set in try BuiltinLabelSets.all() {
            var owner: [String: String] = [:]
            for c in set.classes {
                for d in c.descriptions {
                    for sentence in d.replacing(/([.!?])\s+/, with: { "\($0.output.1)\n" }).split(separator: "\n").map({ $0.lowercased() }) {
                        if let other = owner[sentence], other != c.name {
                            XCTFail("\(set.name): \(c.name) and \(other) share \"\(sentence)\"")
                        }
                        owner[sentence] = c.name
                    }
                }
            }
        }
    }

    /// CLIP truncates at 77 tokens; a description that long would lose its end silently.
    func testDescriptionsAndTemplatesFitCLIPsContext() throws {
        let tokenizer = try CLIPTokenizer(directory: fixtureURL("clip-tokenizer"))
        XCTAssertEqual(tokenizer.maxLength, 77)
        var longest = 0
        for set in try BuiltinLabelSets.all() {
            for c in set.classes {
                for text in c.descriptions + PromptTemplates.standard.filled(with: c.text) {
                    let n = tokenizer.encode(text).count
                    longest = max(longest, n)
                    XCTAssertLessThan(n, tokenizer.maxLength, "\(set.name)/\(c.name): \"\(text)\" may be truncated")
                }
            }
        }
        print("longest built-in text: \(longest) tokens")
    }

    func testProvenanceIsRecorded() throws {
        for set in try BuiltinLabelSets.all() {
            XCTAssertFalse(set.title.isEmpty)
            XCTAssertTrue(set.namesSource.contains("commit"), "\(set.name): names source names the commit it was read at")
            XCTAssertTrue(set.descriptionsSource.contains("What are useful visual features for distinguishing"), set.name)
            XCTAssertEqual(set.question, "What are useful visual features for distinguishing {} in a video?")
        }
        XCTAssertTrue(try BuiltinLabelSets.load("minikinetics200").namesSource.contains("80,000"))
    }

    func testLookupToleratesSpellingAndReportsUnknownSets() throws {
        XCTAssertEqual(try BuiltinLabelSets.load("Mini-Kinetics-200").name, "minikinetics200")
        XCTAssertEqual(try BuiltinLabelSets.load("UCF101").name, "ucf101")
        XCTAssertThrowsError(try BuiltinLabelSets.load("kinetics700")) { error in
            XCTAssertEqual(error as? LabelSetError, .unknownLabelSet(name: "kinetics700", available: BuiltinLabelSets.names))
            XCTAssertTrue(String(describing: error).contains("ucf101"))
        }
    }

    func testDatasetLabelsResolveToClasses() throws {
        let k400 = try BuiltinLabelSets.load("kinetics400")
        let football = try XCTUnwrap(k400.classNames.firstIndex(of: "passing American football (in game)"))
        XCTAssertEqual(k400.index(of: "passing American football (in game)"), football)
        XCTAssertEqual(k400.index(of: "passing_American_football_(in_game)"), football, "mmaction-style directory names")
        XCTAssertEqual(k400.index(of: "Abseiling"), 0)
        XCTAssertNil(k400.index(of: "moonwalking"))
        let ucf = try BuiltinLabelSets.load("ucf101")
        XCTAssertEqual(ucf.index(of: "applying eye makeup"), 0, "the text form resolves too")
        let hmdb = try BuiltinLabelSets.load("hmdb51")
        XCTAssertEqual(hmdb.index(of: "brush hair"), 0)
        XCTAssertEqual(hmdb.index(of: "kick_ball"), hmdb.classNames.firstIndex(of: "kick_ball"))
    }
}
