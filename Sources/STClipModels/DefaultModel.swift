import Foundation

/// Where the embedded default model (`Models/default` in the repository: the small stas-clip trained on
/// synthetic motions) is found when no model is named: installed beside the executable as
/// `<prefix>/share/stclip/models/default` (the container image's layout, `<prefix>/bin/stclip`), or in
/// the source tree the executable was built from (a development checkout).
public enum DefaultModel {
    /// The first candidate directory holding a `config.json`, or nil when this build has none.
    public static func directory() -> String? {
        candidates().first { FileManager.default.fileExists(atPath: URL(fileURLWithPath: $0).appendingPathComponent("config.json").path) }
    }

    /// The places looked at, in order.
    public static func candidates() -> [String] {
        var out: [String] = []
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        if let path = Bundle.main.executableURL?.resolvingSymlinksInPath() ?? (CommandLine.arguments.isEmpty ? nil : executable) {
            out.append(path.deletingLastPathComponent().appendingPathComponent("../share/stclip/models/default").standardized.path)
        }
        // Sources/STClipModels/DefaultModel.swift → the repository root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        out.append(root.appendingPathComponent("Models/default").path)
        return out
    }
}
