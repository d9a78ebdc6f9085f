import Foundation

/// HTML text built on the server. Every value from a record, a file or a request goes through `text` (escaped, and
/// isolated with `<bdi>` so that bidi controls in a value cannot reorder the page around it); attributes through
/// `attr`. Nothing from a user ever becomes markup, a URL scheme or script.
enum HTML {
    /// Escapes `& < > " '` (so a value is inert in text and in quoted attributes).
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\u{0}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A value shown as text: escaped and bidi-isolated.
    static func text(_ s: String) -> String { "<bdi>" + escape(s) + "</bdi>" }

    /// A value inside a double-quoted attribute.
    static func attr(_ s: String) -> String { escape(s) }

    /// A query-string component (for links the server builds from values).
    static func query(_ s: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// The page frame: navigation, who is acting, the CSRF token for scripts, and the body.
    static func page(title: String, session: WebSession?, users: [String] = [], body: String) -> String {
        var nav = ""
        if let session {
            nav = """
                <nav><a href="/">Status</a> <a href="/imports">Imports</a> <a href="/review">Review</a> <a href="/conflicts">Conflicts</a> \
                <a href="/leads">Leads</a> <a href="/opportunities">Opportunities</a> <a href="/tasks">Tasks</a> <a href="/tasks/calendar">Calendar</a>
                <form method="post" action="/session/user" class="who">\(csrfField(session))<label>acting as <select name="user" id="acting-user">
                """
            for u in users {
                nav += "<option value=\"\(attr(u))\"\(u == session.user ? " selected" : "")>\(escape(u))</option>"
            }
            nav += "</select></label> <button type=\"submit\">switch</button></form></nav>"
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · crmgate</title><link rel="stylesheet" href="/static/app.css">
            <script src="/static/app.js" defer></script></head>
            <body><header><strong>crmgate</strong> \(nav)</header><main><h1>\(escape(title))</h1>
            \(body)
            </main></body></html>
            """
    }

    /// The hidden CSRF field every form carries.
    static func csrfField(_ session: WebSession) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(attr(session.csrf))\">"
    }

    /// A table with escaped header cells; `rows` are already HTML.
    static func table(_ header: [String], _ rows: [[String]], id: String? = nil) -> String {
        var out =
            "<table\(id.map { " id=\"\(attr($0))\"" } ?? "")><thead><tr>"
            + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for r in rows { out += "<tr>" + r.map { "<td>\($0)</td>" }.joined() + "</tr>" }
        return out + "</tbody></table>"
    }
}
