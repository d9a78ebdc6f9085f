import CRMDedupe
import Foundation
import Testing

/// Small files and names in two scripts (the fixtures and helpers are `FuzzyDedupeTests`').
extension FuzzyDedupeTests {
    /// A trial's file: one person's row four times and one other row, no e-mail. Its own pairs made the person's name
    /// look shared by 60% of all pairs, and every exact level weighed less than nothing: five clusters.
    @Test("a small file: rows written identically are one person; a namesake at another address is not")
    func smallFile() {
        let d = FuzzyDeduplicator()
        for _ in 0..<4 {
            d.add(row("John", "Smith", company: "Acme", street: "1 Main St", postcode: "2000", city: "Springfield"))
        }
        d.add(row("Mary", "Jones", company: "Beta", street: "5 Oak Rd", postcode: "3000", city: "Shelbyville"))
        d.add(row("John", "Brown", company: "Gamma", street: "9 Elm Rd", postcode: "2000", city: "Springfield"))
        let r = d.run()
        #expect(Set(r.cluster[0..<4]).count == 1, "\(r.cluster)")
        #expect(Set(r.cluster).count == 3, "\(r.cluster)")
    }

    /// A trial's bilingual list: `Ксения Смирнова` and `Kseniya Smirnova` with one e-mail, phone and street were held
    /// back as two people ("first and last names both differ entirely"); `さくら` / `サクラ` likewise.
    @Test("names in two scripts are compared by their Latin forms; full-width digits are digits")
    func twoScripts() throws {
        let why = explanations(
            [
                row(
                    "Ксения", "Смирнова", email: "ks@mail.test", phone: "+74951234567", street: "ул. Ленина 7",
                    postcode: "101000", city: "Москва"),
                row(
                    "Kseniya", "Smirnova", email: "ks@mail.test", phone: "+74951234567", street: "ул. Ленина 7",
                    postcode: "101000", city: "Москва"),
                row("さくら", "小林", street: "銀座１丁目２番", postcode: "１０４－００６１", city: "東京"),
                row("サクラ", "小林", street: "銀座1丁目2番", postcode: "104-0061", city: "東京"),
                row("Иван", "Петров", street: "ул. Мира 3", postcode: "630000", city: "Новосибирск"),
                row("Oleg", "Sidorov", street: "ул. Мира 3", postcode: "630000", city: "Новосибирск"),
            ], pairs: [(0, 1), (2, 3), (4, 5)])
        try #require(why.count == 3)
        #expect(line(why[0], "first")?.contains("OSA<=1") == true, "\(why[0])")
        #expect(line(why[0], "last")?.contains("translit") == true, "\(why[0])")
        #expect(why[0].contains("one cluster"), "\(why[0])")
        #expect(line(why[1], "first")?.contains("OSA<=1") == true, "\(why[1])")
        #expect(line(why[1], "street")?.contains("exact") == true, "\(why[1])")
        #expect(line(why[1], "location")?.contains("postcode and city") == true, "\(why[1])")
        // Different names in two scripts are still different.
        #expect(line(why[2], "first")?.contains("different") == true, "\(why[2])")
        #expect(line(why[2], "last")?.contains("different") == true, "\(why[2])")
    }
}
