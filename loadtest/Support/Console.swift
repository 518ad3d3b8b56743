import Foundation

/// Unbuffered output: progress must show while a long run goes on, even when redirected to a file.
enum Console {
    static func line(_ text: String = "") {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
