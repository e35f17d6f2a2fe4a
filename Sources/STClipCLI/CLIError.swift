import ArgumentParser

/// A failure reported to the user as one line on stderr, with exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    /// Runs `body`, turning any error into a `CLIError` carrying the error's own description
    /// (the typed errors of each layer describe themselves with file and tensor names).
    static func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as CLIError { throw error } catch {
            throw CLIError(description: String(describing: error))
        }
    }
}
