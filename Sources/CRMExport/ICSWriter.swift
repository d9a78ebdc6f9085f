import CRMModel
import Foundation

/// Tasks as an RFC 5545 calendar: a VTODO per task (with DUE), or a VEVENT when a task has a start
/// and a due time; all-day tasks use DATE values. UIDs come from the task's id, so importing the
/// file again updates a calendar instead of duplicating it.
enum ICSWriter {
    static func begin(_ sink: ByteSink) {
        line("BEGIN:VCALENDAR", sink)
        line("VERSION:2.0", sink)
        line("PRODID:-//crmgate//CRM tasks//EN", sink)
        line("CALSCALE:GREGORIAN", sink)
        line("X-WR-CALNAME:crmgate tasks", sink)
    }

    static func end(_ sink: ByteSink) { line("END:VCALENDAR", sink) }

    static func write(_ t: CRMTask, _ sink: ByteSink) {
        let isEvent = t.start != nil && t.due != nil && !t.allDay
        let component = isEvent ? "VEVENT" : "VTODO"
        line("BEGIN:\(component)", sink)
        line("UID:\(t.id)@crmgate", sink)
        line("DTSTAMP:\(stamp(t.updatedAt ?? t.createdAt ?? Date(timeIntervalSince1970: 0)))", sink)
        line("SUMMARY:" + escape(t.title), sink)
        if !t.description.isEmpty { line("DESCRIPTION:" + escape(t.description), sink) }
        if !t.category.isEmpty { line("CATEGORIES:" + escape(t.category), sink) }
        if t.allDay {
            if let s = t.start { line("DTSTART;VALUE=DATE:\(day(s))", sink) }
            if let d = t.due { line("DUE;VALUE=DATE:\(day(d))", sink) }
        } else if isEvent {
            line("DTSTART:\(stamp(t.start!))", sink)
            line("DTEND:\(stamp(t.due!))", sink)
        } else {
            if let s = t.start { line("DTSTART:\(stamp(s))", sink) }
            if let d = t.due { line("DUE:\(stamp(d))", sink) }
        }
        if !isEvent { line("STATUS:" + todoStatus(t.status), sink) }
        if t.important { line("PRIORITY:1", sink) }
        if !t.assignee.isEmpty { line("X-CRMGATE-ASSIGNEE;VALUE=TEXT:" + escape(t.assignee), sink) }
        if !t.relatedTo.isEmpty { line("X-CRMGATE-RELATED-TO;VALUE=TEXT:" + escape(t.relatedTo), sink) }
        if t.requiresApproval {
            line("X-CRMGATE-APPROVAL;VALUE=TEXT:" + (t.approvedBy.isEmpty ? "PENDING" : "APPROVED"), sink)
        }
        line("END:\(component)", sink)
    }

    static func todoStatus(_ s: String) -> String {
        switch s.lowercased() {
        case "done", "completed", "complete", "closed": return "COMPLETED"
        case "in progress", "in-progress", "started": return "IN-PROCESS"
        case "cancelled", "canceled": return "CANCELLED"
        default: return "NEEDS-ACTION"
        }
    }

    /// RFC 5545 TEXT: backslash, semicolon and comma escaped; a line break (LF, CRLF or a lone CR) written as `\\n`,
    /// which calendars show as a line break and read back as LF. The other control characters (U+0000–U+001F but
    /// tab, and U+007F), which TEXT cannot hold, are written as Excel's `_xHHHH_`, and a literal `_xHHHH_` as
    /// `_x005F_xHHHH_`, as the XLSX export does: nothing is dropped.
    static func escape(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        func append(_ text: String) { out.append(contentsOf: text.unicodeScalars) }
        while i < scalars.count {
            let c = scalars[i]
            switch c.value {
            case 0x5C: append("\\\\")
            case 0x3B: append("\\;")
            case 0x2C: append("\\,")
            case 0x0A: append("\\n")
            case 0x0D:
                append("\\n")
                if i + 1 < scalars.count && scalars[i + 1].value == 0x0A { i += 1 }
            case 0x09: out.append(c)
            case 0x00..<0x20, 0x7F: append(excelEscape(c.value))
            case 0x5F where isExcelEscape(scalars, at: i): append("_x005F_")
            default: out.append(c)
            }
            i += 1
        }
        return String(out)
    }

    static func excelEscape(_ v: UInt32) -> String {
        let hex = String(v, radix: 16, uppercase: true)
        return "_x" + String(repeating: "0", count: 4 - hex.count) + hex + "_"
    }

    /// Whether `_xHHHH_` starts at `i` (four hex digits, either case), or `_xHHHH` before a control character, whose
    /// `_xHHHH_` escape would close it.
    static func isExcelEscape(_ s: [Unicode.Scalar], at i: Int) -> Bool {
        guard i + 6 < s.count, s[i + 1] == "x" else { return false }
        let next = s[i + 6].value
        guard next == 0x5F || next == 0x7F || (next < 0x20 && next != 0x09 && next != 0x0A && next != 0x0D) else {
            return false
        }
        return s[(i + 2)...(i + 5)].allSatisfy { $0.properties.isASCIIHexDigit }
    }

    static func stamp(_ d: Date) -> String {
        let iso = d.iso8601UTC  // 2024-03-05T14:22:00Z or with .mmm
        let b = Array(iso.utf8)
        var digits: [UInt8] = []
        for r in [0..<4, 5..<7, 8..<10] { digits += b[r] }
        digits.append(UInt8(ascii: "T"))
        for r in [11..<13, 14..<16, 17..<19] { digits += b[r] }
        return String(decoding: digits, as: UTF8.self) + "Z"
    }

    static func day(_ d: Date) -> String { String(stamp(d).prefix(8)) }

    /// Writes a content line folded at 75 octets (continuation lines start with a space), CRLF-terminated.
    static func line(_ text: String, _ sink: ByteSink) {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 70 * 3 + 2)
        var lineLen = 0
        var i = 0
        while i < bytes.count {
            // Length of the UTF-8 sequence starting here, so a character is never split.
            let b = bytes[i]
            let len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
            let limit = 75
            if lineLen + len > limit {
                out += [13, 10, 32]
                lineLen = 1
            }
            out += bytes[i..<min(i + len, bytes.count)]
            lineLen += len
            i += len
        }
        out += [13, 10]
        sink.write(bytes: out)
    }
}
