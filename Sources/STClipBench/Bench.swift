import ArgumentParser

@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stclip-bench", abstract: "stclip benchmarks.")
}
