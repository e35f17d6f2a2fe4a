@testable import STClipModelHub
import XCTest

/// Model references (`ORG/NAME` and hub URLs), the hub's URLs built from them, and the
/// environment's endpoint and token.
final class HubReferenceTests: XCTestCase {
    let hf = "https://huggingface.co"

    func reference(_ text: String, revision: String? = nil, endpoint: String = "https://huggingface.co") throws -> HubReference {
        try HubReference(parsing: text, revision: revision, endpoint: endpoint)
    }

    func testANameIsLookedUpOnTheEndpointAtMainOrTheGivenRevision() throws {
        let main = try reference("openai/clip-vit-base-patch32")
        XCTAssertEqual(main, try HubReference(endpoint: hf, repository: "openai/clip-vit-base-patch32", revision: "main"))
        XCTAssertEqual(main.revisionURL, "https://huggingface.co/api/models/openai/clip-vit-base-patch32/revision/main")
        XCTAssertEqual(main.treeURL(commit: "abc"), "https://huggingface.co/api/models/openai/clip-vit-base-patch32/tree/abc")
        XCTAssertEqual(main.resolveURL(commit: "abc", file: "model.safetensors"),
                       "https://huggingface.co/openai/clip-vit-base-patch32/resolve/abc/model.safetensors")
        let mirror = try reference("microsoft/xclip-base-patch32", revision: "refs/pr/1", endpoint: "http://mirror.local:8080/hf/")
        XCTAssertEqual(mirror.endpoint, "http://mirror.local:8080/hf")
        XCTAssertEqual(mirror.revisionURL, "http://mirror.local:8080/hf/api/models/microsoft/xclip-base-patch32/revision/refs%2Fpr%2F1")
        XCTAssertEqual(mirror.resolveURL(commit: "c", file: "a b+c.json"), "http://mirror.local:8080/hf/microsoft/xclip-base-patch32/resolve/c/a%20b%2Bc.json")
        XCTAssertEqual(try reference("gpt2").repository, "gpt2", "a legacy name without an organisation")
    }

    func testURLsCarryTheirEndpointAndRevision() throws {
        XCTAssertEqual(try reference("https://huggingface.co/openai/clip-vit-base-patch16", endpoint: "http://elsewhere"),
                       try HubReference(endpoint: hf, repository: "openai/clip-vit-base-patch16", revision: "main"))
        XCTAssertEqual(try reference("https://huggingface.co/openai/clip-vit-base-patch16/tree/v1.0"),
                       try HubReference(endpoint: hf, repository: "openai/clip-vit-base-patch16", revision: "v1.0"))
        XCTAssertEqual(try reference("https://huggingface.co/org/name/blob/refs%2Fpr%2F3/config.json").revision, "refs/pr/3")
        XCTAssertEqual(try reference("https://huggingface.co/org/name/resolve/0123abc/sub/model.safetensors").revision, "0123abc")
        XCTAssertEqual(try reference("http://127.0.0.1:9000/mirror/hf/org/name/"),
                       try HubReference(endpoint: "http://127.0.0.1:9000/mirror/hf", repository: "org/name", revision: "main"))
        XCTAssertEqual(try reference("https://huggingface.co/org/name/tree/dev", revision: "dev").revision, "dev", "the same revision twice is fine")
    }

    func testBadReferencesAreRefusedWithAReason() {
        let bad: [(String, String?)] = [
            ("", nil), ("a/b/c", nil), ("../etc", nil), ("org/na me", nil), ("org/-name", nil), ("org/a--b", nil), ("org/name.", nil),
            ("ftp://huggingface.co/org/name", nil), ("https://huggingface.co/name", nil), ("https://huggingface.co/org/name?x=1", nil),
            ("https://huggingface.co/org/name/tree", nil), ("https://huggingface.co/org/name/tree/v1", "v2"),
            ("https://user:pw@huggingface.co/org/name", nil), ("org/name", " "),
        ]
        for (text, revision) in bad {
            XCTAssertThrowsError(try reference(text, revision: revision), text) { error in
                guard case .invalidReference = error as? ModelFetchError else { return XCTFail("\(text): \(error)") }
            }
        }
        XCTAssertEqual(try? reference("org/name", endpoint: "huggingface.co"), nil)
        XCTAssertThrowsError(try reference("org/name", endpoint: "huggingface.co")) {
            XCTAssertEqual($0 as? ModelFetchError, .invalidEndpoint("huggingface.co"))
        }
    }

    func testTheEnvironmentGivesEndpointAndToken() {
        XCTAssertEqual(HubConfiguration(environment: [:]), HubConfiguration(endpoint: "https://huggingface.co", token: nil))
        XCTAssertEqual(HubConfiguration(environment: ["HF_ENDPOINT": "http://hub.local", "HF_TOKEN": "hf_x"]),
                       HubConfiguration(endpoint: "http://hub.local", token: "hf_x"))
        XCTAssertEqual(HubConfiguration(environment: ["HF_ENDPOINT": "", "HF_TOKEN": ""]), HubConfiguration())
    }

    func testTheNextPageComesFromTheLinkHeader() {
        XCTAssertEqual(HubClient.nextLink(#"<https://hf.co/api/models/a/b/tree/main?cursor=xyz>; rel="next""#),
                       "https://hf.co/api/models/a/b/tree/main?cursor=xyz")
        XCTAssertEqual(HubClient.nextLink(#"<https://x/prev>; rel="prev", <https://x/next>; rel="next""#), "https://x/next")
        XCTAssertNil(HubClient.nextLink(#"<https://x/prev>; rel="prev""#))
        XCTAssertNil(HubClient.nextLink(nil))
    }

    func testTheTokenOriginIncludesSchemeAndPort() {
        XCTAssertEqual(HubClient.origin(of: "https://HuggingFace.co/a"), "https://huggingface.co:443")
        XCTAssertEqual(HubClient.origin(of: "http://127.0.0.1:8080/x"), "http://127.0.0.1:8080")
        XCTAssertNotEqual(HubClient.origin(of: "https://huggingface.co"), HubClient.origin(of: "https://cdn-lfs.huggingface.co"))
        XCTAssertNil(HubClient.origin(of: "file:///etc/passwd"))
    }
}
