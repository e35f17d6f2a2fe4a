import Foundation
import XCTest
import STClipCheckpoint

final class JSONObjectTests: XCTestCase {
    private func object(_ text: String, path: String = "config.json") throws -> JSONObject {
        try JSONObject(data: Data(text.utf8), path: path)
    }

    func testTypedAccessors() throws {
        let json = try object("""
            {"n": 768, "x": 1e-05, "whole": 2.0, "s": "gelu", "t": true, "f": false, "nothing": null,
             "list": [1, 2.5], "nested": {"inner": {"depth": 3}}}
            """)
        XCTAssertEqual(try json.int("n"), 768)
        XCTAssertEqual(try json.double("x"), 1e-05)
        XCTAssertEqual(try json.double("n"), 768)
        XCTAssertEqual(try json.int("whole"), 2)
        XCTAssertEqual(try json.string("s"), "gelu")
        XCTAssertEqual(try json.bool("t"), true)
        XCTAssertEqual(try json.bool("f"), false)
        XCTAssertEqual(try json.object("nested").object("inner").int("depth"), 3)
        XCTAssertEqual(try json.array("list").doubles(), [1, 2.5])
        XCTAssertEqual(json.keys, ["f", "list", "n", "nested", "nothing", "s", "t", "whole", "x"])
        XCTAssertTrue(json.contains("nothing"))
        XCTAssertFalse(json.contains("absent"))
        XCTAssertEqual(json["n"], .integer(768))
    }

    func testOptionalAndDefaultAccessors() throws {
        let json = try object("{\"nothing\": null, \"n\": 5, \"s\": \"text\"}")
        XCTAssertNil(try json.optionalInt("nothing"))
        XCTAssertNil(try json.optionalInt("absent"))
        XCTAssertEqual(try json.optionalInt("n"), 5)
        XCTAssertEqual(try json.int("absent", default: 7), 7)
        XCTAssertEqual(try json.int("nothing", default: 7), 7)
        XCTAssertEqual(try json.int("n", default: 7), 5)
        XCTAssertEqual(try json.double("absent", default: 0.5), 0.5)
        XCTAssertEqual(try json.string("absent", default: "d"), "d")
        XCTAssertEqual(try json.bool("absent", default: true), true)
        XCTAssertNil(try json.optionalObject("nothing"))
        XCTAssertNil(try json.optionalArray("absent"))
        XCTAssertNil(try json.optionalString("nothing"))
        XCTAssertNil(try json.optionalBool("nothing"))
        XCTAssertNil(try json.optionalDouble("nothing"))
        // A default never hides a value of the wrong type.
        assertCheckpointError(try json.int("s", default: 7), "badConfig")
        assertCheckpointError(try json.optionalBool("n"), "badConfig")
    }

    func testBooleansAndNumbersAreNotInterchangeable() throws {
        let json = try object("{\"yes\": true, \"one\": 1, \"zero\": 0}")
        assertCheckpointError(try json.int("yes"), "badConfig")
        assertCheckpointError(try json.double("yes"), "badConfig")
        assertCheckpointError(try json.bool("one"), "badConfig")
        assertCheckpointError(try json.bool("zero"), "badConfig")
    }

    func testErrorsNameTheFileAndKeyPath() throws {
        let json = try object("{\"vision_config\": {\"hidden_size\": \"768\", \"layers\": [{\"heads\": 1}]}, \"n\": null, \"ratio\": 0.5}",
                              path: "ckpt/config.json")
        let vision = try json.object("vision_config")
        XCTAssertEqual(assertCheckpointError(try vision.int("hidden_size"), "badConfig"),
                       .badConfig(path: "ckpt/config.json", key: "vision_config.hidden_size", detail: "expected an integer, found a string"))
        let missing = assertCheckpointError(try vision.int("patch_size"), "missingKey")
        XCTAssertEqual(missing, .missingKey(path: "ckpt/config.json", key: "vision_config.patch_size"))
        XCTAssertEqual(missing?.description, "ckpt/config.json: vision_config.patch_size: missing")
        XCTAssertEqual(assertCheckpointError(try json.int("n"), "badConfig"),
                       .badConfig(path: "ckpt/config.json", key: "n", detail: "is null"))
        XCTAssertEqual(assertCheckpointError(try json.int("ratio"), "badConfig")?.description,
                       "ckpt/config.json: ratio: expected an integer, found a non-integral number")
        let layers = try vision.array("layers").objects()
        XCTAssertEqual(assertCheckpointError(try layers[0].string("heads"), "badConfig"),
                       .badConfig(path: "ckpt/config.json", key: "vision_config.layers[0].heads", detail: "expected a string, found an integer"))
        XCTAssertEqual(assertCheckpointError(try vision.array("layers").ints(), "badConfig"),
                       .badConfig(path: "ckpt/config.json", key: "vision_config.layers[0]", detail: "expected an integer, found an object"))
        assertCheckpointError(try json.object("ratio"), "badConfig")
        assertCheckpointError(try json.array("vision_config"), "badConfig")
    }

    func testWholeFileErrors() throws {
        XCTAssertEqual(assertCheckpointError(try object("{\"a\": ", path: "x.json"), "badConfig"),
                       .badConfig(path: "x.json", key: "", detail: "not valid JSON"))
        XCTAssertEqual(assertCheckpointError(try object("[1, 2]", path: "x.json"), "badConfig"),
                       .badConfig(path: "x.json", key: "", detail: "top level is an array, not an object"))
        assertCheckpointError(try object("", path: "x.json"), "badConfig")
        assertCheckpointError(try object("{\"a\": 1e400}", path: "x.json"), "badConfig")
        let missing = try makeTemporaryDirectory() + "/config.json"
        XCTAssertEqual(assertCheckpointError(try JSONObject(contentsOf: missing), "missingFile"), .missingFile(path: missing))
    }

    func testArrayAccessors() throws {
        let json = try object("{\"s\": [\"a\", \"b\"], \"b\": [true, false], \"i\": [1, -2], \"m\": [1, \"x\"]}")
        XCTAssertEqual(try json.array("s").strings(), ["a", "b"])
        XCTAssertEqual(try json.array("b").bools(), [true, false])
        XCTAssertEqual(try json.array("i").ints(), [1, -2])
        XCTAssertEqual(try json.array("i").count, 2)
        XCTAssertEqual(assertCheckpointError(try json.array("m").ints(), "badConfig"),
                       .badConfig(path: "config.json", key: "m[1]", detail: "expected an integer, found a string"))
        assertCheckpointError(try json.array("s").doubles(), "badConfig")
    }
}
