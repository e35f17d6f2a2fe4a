import ArgumentParser
import Foundation
import STClipRuntime
import STClipVideo

/// `stclip`: JSON on stdout, a one-line error on stderr and a non-zero exit status on failure.
@main
struct STClip: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stclip",
        abstract: "Action recognition in video with CLIP-family models.",
        subcommands: [TokenizeCommand.self, EmbedTextCommand.self, EmbedVideoCommand.self, ClassifyCommand.self, SampleFramesCommand.self, EvalCommand.self, DescribeCommand.self, ServeCommand.self, ModelCommand.self, VersionCommand.self])
}

/// Prints the versions of the native libraries stclip runs on.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print library versions as JSON.")

    func run() throws {
        try JSONOutput.print(["blas": BLAS.configuration, "ffmpeg": FFmpegLibraries.versions])
    }
}
