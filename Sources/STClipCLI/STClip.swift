import ArgumentParser

@main
struct STClip: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stclip", abstract: "Action recognition in video with CLIP-family models.")
}
