import CRMModel
import Glibc

/// Whether standard output is a terminal (asked once).
let standardOutputIsTerminal = isatty(STDOUT_FILENO) == 1

/// `Swift.print` for every command of this module: on a terminal, what is printed goes through `terminalSafe`, so
/// that a stored value (a lead's name from an imported file) cannot send the terminal escape sequences or bidi
/// overrides; to a file or a pipe every byte goes as it is.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator)
    Swift.print(standardOutputIsTerminal ? text.terminalSafe : text, terminator: terminator)
}
