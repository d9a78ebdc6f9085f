// libFuzzer target for the matching normalisers and string similarity (compiled with Sources/CRMDedupe's
// Normalize.swift and Similarity.swift). Invariants: no crash; similarity in 0...1, symmetric distance,
// normalising twice changes nothing more, and a name as it sounds is letters a-z only.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNormalize(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let cut = bytes.firstIndex(of: 0) ?? bytes.count / 2
    let a = String(decoding: bytes[..<cut], as: UTF8.self)
    let b = String(decoding: bytes[min(cut + 1, bytes.count)...], as: UTF8.self)
    let fa = Normalize.fold(a)
    if Normalize.fold(fa) != fa { fatalError("fold is not idempotent on \(a.debugDescription)") }
    _ = Normalize.companyCore(a)
    _ = Normalize.street(a)
    _ = Normalize.houseNumber(Normalize.street(b))
    _ = Normalize.email(a, gmailDots: true)
    _ = Normalize.postcode(b)
    // As it sounds: the letters a-z only, none of those folded away (`c`, `q`, `x`, `z`, `y`, `ph`, `th`, `gh`, `dh`),
    // no letter twice in a row.
    let sound = Array(Normalize.soundFolded(fa).utf8)
    for (i, c) in sound.enumerated() {
        let next = i + 1 < sound.count ? sound[i + 1] : 0
        if c < 97 || c > 122 || Array("cqxzy".utf8).contains(c) || c == next
            || (next == UInt8(ascii: "h") && Array("ptgd".utf8).contains(c))
        {
            fatalError("soundFolded left \(UnicodeScalar(c)) in \(sound) of \(a.debugDescription)")
        }
    }
    if !fa.isEmpty, !Normalize.firstNameCanon(fa).contains(fa) { fatalError("a name does not stand for itself") }
    let jw = Similarity.jaroWinkler(Array(fa.utf8), Array(Normalize.fold(b).utf8))
    if !(0...1.0000001).contains(jw) { fatalError("Jaro-Winkler out of range: \(jw)") }
    let d1 = Similarity.osaDistance(Array(a.utf8.prefix(64)), Array(b.utf8.prefix(64)), cap: 3)
    let d2 = Similarity.osaDistance(Array(b.utf8.prefix(64)), Array(a.utf8.prefix(64)), cap: 3)
    if d1 != d2 { fatalError("OSA distance not symmetric") }
    return 0
}
