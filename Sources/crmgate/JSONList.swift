import Foundation

/// Every list's `--json`: one JSON array (`[]` for an empty list), so that every list reads the same way (`jq '.[]'`,
/// `json.load`). It is printed as it goes, one element a line, not built whole first: a list of a million records
/// prints its first line at once.
struct JSONListPrinter {
    /// The element printed last is held back until the next one shows whether it takes a comma.
    private var held: String?

    /// Adds one element, a JSON text.
    mutating func add(_ element: String) {
        print(held.map { $0 + "," } ?? "[")
        held = element
    }

    /// Adds one element made of plain values (`JSONSerialization`), keys sorted.
    mutating func add(object: Any) throws {
        add(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
    }

    /// Closes the array.
    func finish() {
        if let held {
            print(held)
            print("]")
        } else {
            print("[]")
        }
    }
}
