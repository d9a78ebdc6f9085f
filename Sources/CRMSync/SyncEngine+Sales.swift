import CRMHTTP
public import CRMModel
import CRMStore
import Foundation

/// What a converted opportunity needs next on a remote that creates sales (`SaleSpec`): a value; the engine does it.
public enum SaleStep: Equatable, Sendable {
    /// Find the sale header by the reference crmgate gave it, or create it; then its document.
    case header(kind: Conversion.SaleKind, reference: String)
    /// The header exists (its id is recorded on the opportunity): create the document.
    case document(kind: Conversion.SaleKind, saleID: String)
}

/// Decides the sale step of an opportunity and the values its templates are filled with.
///
/// The opportunity keeps the remote sale's state in custom fields: `sale_id` once the header exists, `sale_document`
/// (quote or order) once the document was created, `sale_error` with the remote's message when it refused.
public enum SalePlanner {
    public static let saleIDField = "sale_id"
    public static let documentField = "sale_document"
    public static let errorField = "sale_error"
    /// What the refused sale was made from (a digest): it is not sent again until the opportunity changes.
    public static let refusedField = "sale_refused"

    /// The next step, or nil when the opportunity was not converted or its document exists already.
    public static func step(for o: Opportunity) -> SaleStep? {
        guard let text = o.custom["converted_to"], let kind = Conversion.SaleKind(rawValue: text) else { return nil }
        if o.custom[documentField] == kind.rawValue { return nil }
        if let e = o.custom[errorField], !e.isEmpty, o.custom[refusedField] == digest(o, kind: kind) { return nil }
        if let id = o.custom[saleIDField], !id.isEmpty { return .document(kind: kind, saleID: id) }
        return .header(kind: kind, reference: reference(o))
    }

    /// A digest of what a sale is made from (the template values and the lines): a refused sale is tried again only
    /// when
    /// it changes.
    public static func digest(_ o: Opportunity, kind: Conversion.SaleKind) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let v = values(o, kind: kind, saleID: nil, today: "")
        for k in v.keys.sorted() {
            for b in (k + "=" + (v[k]?.text ?? "") + "\u{1F}").utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        }
        for line in lines(o) {
            for k in line.keys.sorted() {
                for b in (k + "=" + (line[k]?.text ?? "") + "\u{1E}").utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            }
        }
        return String(h, radix: 16)
    }

    /// The reference sent with the header (a customer reference the remote can search), unique per opportunity.
    public static func reference(_ o: Opportunity) -> String { "crmgate-\(o.id)" }

    /// The opportunity-level placeholder values (`SaleSpec.placeholders`).
    public static func values(
        _ o: Opportunity, kind: Conversion.SaleKind, saleID: String?, today: String
    ) -> [String: JSONValue] {
        let kept = saleLines(o)
        let total = kept.isEmpty ? (o.amount ?? 0) : kept.reduce(Decimal(0)) { $0 + $1.quantity * $1.unitPrice }
        var v: [String: JSONValue] = [
            "ref": .string(reference(o)), "name": .string(o.name), "customer_name": .string(o.customerName),
            "contact_name": .string(o.contactName), "currency": .string(o.currency), "owner": .string(o.owner),
            "amount": number(o.amount ?? 0), "total": number(total), "notes": .string(o.notes),
            "kind": .string(kind.rawValue),
            "is_order": .bool(kind == .order), "date": .string(today),
        ]
        if let saleID { v["sale_id"] = .string(saleID) }
        return v
    }

    /// One value set per document line: the opportunity's lines, or one line of its amount when it has none.
    public static func lines(_ o: Opportunity) -> [[String: JSONValue]] {
        let kept = saleLines(o)
        let lines = kept.isEmpty ? [OpportunityLine(product: o.name, quantity: 1, unitPrice: o.amount ?? 0)] : kept
        return lines.map { l in
            [
                "product": .string(l.product), "quantity": number(l.quantity), "unit_price": number(l.unitPrice),
                "line_total": number(l.quantity * l.unitPrice),
            ]
        }
    }

    /// The lines the conversion kept (`sale_lines`), or the opportunity's own when it still has them in memory.
    static func saleLines(_ o: Opportunity) -> [OpportunityLine] {
        o.lines.isEmpty ? Conversion.saleLines(o.custom["sale_lines"]) : o.lines
    }

    /// A decimal as a JSON number, rounded to 4 places (what sale APIs accept).
    static func number(_ d: Decimal) -> JSONValue {
        var d = d
        var r = Decimal()
        NSDecimalRound(&r, &d, 4, .plain)
        return .number(NSDecimalNumber(decimal: r).doubleValue)
    }
}

extension SyncEngine {
    /// Creates the sale quote or order of every opportunity converted since (`opportunities convert ID --to …`) on a
    /// remote whose profile has `sales:`. The header's id is saved on the opportunity before its document is sent, and
    /// a
    /// header whose answer was lost is found again by its reference, so a rerun creates neither twice. A refusal is
    /// counted, kept on the opportunity (`sale_error`) and reported, and not sent again until the opportunity changes;
    /// the
    /// others go on.
    func pushSales(_ report: inout SyncReport) async throws {
        guard let spec = client.profile.sales else { return }
        var due: [(Opportunity, SaleStep)] = []
        try storeCall {
            try store.forEach(Opportunity.self) { o, _ in
                if let step = SalePlanner.step(for: o) { due.append((o, step)) }
            }
        }
        let today = String(Date().iso8601UTC.prefix(10))
        for (o, step) in due {
            let kind: Conversion.SaleKind
            switch step {
            case .header(let k, _), .document(let k, _): kind = k
            }
            if dryRun {
                report.lines.append("would create a sale \(kind.rawValue) for opportunity \(o.id.short) (\(o.name))")
                continue
            }
            do {
                guard let endpoint = spec.documents[kind] else {
                    throw SyncError(
                        .rejected, context: client.profile.name,
                        message:
                            "the profile cannot create a sale \(kind.rawValue) (its sales section has no '\(kind.rawValue)')",
                        status: 400)
                }
                let saleID: String
                switch step {
                case .document(_, let id):
                    saleID = id
                    // The header was made by an earlier run: its document may exist already (an answer lost).
                    if let get = spec.get, let path = spec.documentStatus[kind],
                        let sale = try await client.getSale(get, id: id),
                        let status = path.get(sale)?.stringValue, !status.isEmpty,
                        !spec.openStatuses.contains(status.uppercased())
                    {
                        try saveSaleState(
                            o.id,
                            [
                                SalePlanner.documentField: kind.rawValue, SalePlanner.errorField: nil,
                                SalePlanner.refusedField: nil,
                            ])
                        report.lines.append(
                            "found the sale \(kind.rawValue) of opportunity \(o.id.short) (\(o.name)) already made: sale \(id)"
                        )
                        continue
                    }
                case .header(_, let reference):
                    if let lookup = spec.lookup,
                        let found = try await client.findSales(lookup, reference: reference).first
                    {
                        saleID = found
                    } else {
                        let body = SaleSpec.render(
                            spec.header, SalePlanner.values(o, kind: kind, saleID: nil, today: today))
                        let answer = try await client.sendSale(spec.create, body: body)
                        guard let id = spec.id.get(answer)?.stringValue, !id.isEmpty else {
                            throw SyncError(
                                .badResponse, context: "\(spec.create.method.rawValue) \(spec.create.path)",
                                message: "the answer has no sale id at '\(spec.id)'")
                        }
                        saleID = id
                    }
                    try saveSaleState(o.id, [SalePlanner.saleIDField: saleID])
                }
                let values = SalePlanner.values(o, kind: kind, saleID: saleID, today: today)
                var body = SaleSpec.render(spec.document, values)
                if let path = spec.linesPath {
                    // A line sees the opportunity's values too (`$currency` in a line), its own taking precedence.
                    path.set(
                        &body,
                        .array(SalePlanner.lines(o).map { SaleSpec.render(spec.line, values.merging($0) { $1 }) }))
                }
                _ = try await client.sendSale(endpoint, body: body)
                try saveSaleState(
                    o.id,
                    [
                        SalePlanner.documentField: kind.rawValue, SalePlanner.errorField: nil,
                        SalePlanner.refusedField: nil,
                    ])
                report.counts.salesCreated += 1
                report.lines.append(
                    "created the sale \(kind.rawValue) of opportunity \(o.id.short) (\(o.name)): sale \(saleID)")
            } catch let e as SyncError where e.isPermanentRefusal {
                report.counts.refused += 1
                report.lines.append(
                    "refused: the sale \(kind.rawValue) of opportunity \(o.id.short) (\(o.name)): \(e.message)")
                try saveSaleState(
                    o.id,
                    [SalePlanner.errorField: e.message, SalePlanner.refusedField: SalePlanner.digest(o, kind: kind)])
            }
        }
    }

    /// Sets the sale's state on the opportunity as it is now (read again: an edit made while the remote answered is
    /// kept), only these custom fields; nil removes one.
    func saveSaleState(_ id: RecordID, _ fields: [String: String?]) throws {
        try storeCall {
            guard var current = try store.recordForSync(Opportunity.self, id: id.description)?.record else { return }
            for (k, v) in fields { current.custom[k] = v }
            try store.save([current])
        }
    }
}
