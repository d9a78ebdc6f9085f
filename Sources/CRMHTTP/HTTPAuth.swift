/// How requests to a remote prove who they come from.
public enum HTTPAuth: Sendable {
    case none
    /// `Authorization: Bearer <token>`.
    case bearer(Secret)
    /// Named headers, e.g. Cin7 Core's `api-auth-accountid` and `api-auth-applicationkey`.
    case headers([(name: String, value: Secret)])
    /// `Authorization: Basic base64(user:password)`.
    case basic(user: String, password: Secret)

    /// The secrets to redact.
    public var secrets: [Secret] {
        switch self {
        case .none: []
        case .bearer(let s): [s]
        case .headers(let hs): hs.map(\.value)
        case .basic(let user, let p): [p, Secret(Self.basicValue(user, p))]
        }
    }

    func apply(to headers: inout HTTPHeaders) {
        switch self {
        case .none: break
        case .bearer(let s): headers.set("Authorization", "Bearer " + s.value)
        case .headers(let hs): for h in hs { headers.set(h.name, h.value.value) }
        case .basic(let user, let p): headers.set("Authorization", "Basic " + Self.basicValue(user, p))
        }
    }

    static func basicValue(_ user: String, _ p: Secret) -> String {
        Base64.encode(Array("\(user):\(p.value)".utf8))
    }
}

enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [table[Int(n >> 18 & 63)], table[Int(n >> 12 & 63)], table[Int(n >> 6 & 63)], table[Int(n & 63)]]
            i += 3
        }
        if i < bytes.count {
            let rest = bytes.count - i
            let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out += [
                table[Int(n >> 18 & 63)], table[Int(n >> 12 & 63)],
                rest == 2 ? table[Int(n >> 6 & 63)] : UInt8(ascii: "="), UInt8(ascii: "="),
            ]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
