import ArgumentParser
import CRMModel

/// `Swift.print` for every command of this module: what is printed goes through `terminalSafe`, so that a stored
/// value (a lead's name from an imported file) cannot send a terminal escape sequences or bidi overrides. Into a
/// pipe too: `crmgate leads list | grep x` ends on a terminal all the same (a trial's `| grep` set the terminal's
/// title and cleared its screen from a lead's notes). The escapes are JSON's, so `--json` output means the same
/// values; it gives every value exactly.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator)
    Swift.print(text.terminalSafe, terminator: terminator)
}

/// A numbered id on the command line (an import, a sync run, a review pair, a conflict): `12`, or `#12` as the lists
/// print it (a trial typed back `imports show '#1'` and was refused).
struct Number: ExpressibleByArgument, CustomStringConvertible {
    let value: Int64

    init?(argument: String) {
        let digits = argument.hasPrefix("#") ? argument.dropFirst() : Substring(argument)
        guard let n = Int64(digits), n >= 0 else { return nil }
        value = n
    }

    var description: String { String(value) }
}
