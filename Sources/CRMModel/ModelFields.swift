/// The kinds of every model field, by record type.
public enum ModelFields {
    /// The kind of the field `name` of `type`; a custom field (`custom.NAME`) and a name the type lacks are text.
    public static func kind(_ type: RecordType, _ name: String) -> FieldKind {
        if name.hasPrefix("custom.") { return .text }
        switch type {
        case .lead: return Lead.field(named: name)?.kind ?? .text
        case .customer: return Customer.field(named: name)?.kind ?? .text
        case .opportunity: return Opportunity.field(named: name)?.kind ?? .text
        case .task: return CRMTask.field(named: name)?.kind ?? .text
        }
    }
}
