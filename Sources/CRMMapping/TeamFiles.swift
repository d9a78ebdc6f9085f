public import CRMModel
import Foundation
import Yams

/// The users of the CRM and their task permissions (`mappings/users.yaml`).
public enum UsersFile {
    /// Reads the users file.
    /// - Throws: `MappingError` naming the line of an unknown key or permission.
    public static func load(path: String) throws -> [User] {
        let text = try MappingFile.readText(path, what: "users file")
        do {
            guard let root = try Yams.compose(yaml: text, .default, .default, .utf8) else { return [] }
            let top = try YAMLMap(root, what: "the users file")
            try top.allow(["users"])
            guard let list = top["users"], case .sequence(let seq) = list else {
                throw MappingError(.missingKey, line: top.line, message: "the users file needs a `users:` list")
            }
            return try seq.map { node in
                let m = try YAMLMap(node, what: "a user")
                try m.allow(["name", "email", "permissions"])
                var perms = Set<Permission>()
                for p in try m.stringList("permissions") ?? [] {
                    guard let perm = Permission(rawValue: p) else {
                        throw MappingError(
                            .invalidValue, line: m.line(of: "permissions"),
                            message: "unknown permission '\(p)'; permissions are "
                                + Permission.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    perms.insert(perm)
                }
                return User(name: try m.requiredString("name"), email: try m.string("email") ?? "", permissions: perms)
            }
        } catch var e as MappingError {
            e.path = path
            throw e
        } catch {
            throw MappingError(.invalidYAML, path: path, message: "not valid YAML: \(error)")
        }
    }
}

/// The lead statuses and opportunity stages, in pipeline order (`mappings/pipelines.yaml`).
public struct Pipelines: Sendable, Equatable {
    public var leadStatuses: [String] = LeadStatus.defaults
    public var opportunityStages: [String] = OpportunityStage.defaults
    public init() {}

    /// Reads a pipelines file; a missing file gives the seed's defaults.
    public static func load(path: String) throws -> Pipelines {
        guard FileManager.default.fileExists(atPath: path) else { return Pipelines() }
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var p = Pipelines()
        do {
            guard let root = try Yams.compose(yaml: text, .default, .default, .utf8) else { return p }
            let top = try YAMLMap(root, what: "the pipelines file")
            try top.allow(["lead_statuses", "opportunity_stages"])
            if let l = try top.stringList("lead_statuses") { p.leadStatuses = l }
            if let o = try top.stringList("opportunity_stages") { p.opportunityStages = o }
        } catch var e as MappingError {
            e.path = path
            throw e
        } catch {
            throw MappingError(.invalidYAML, path: path, message: "not valid YAML: \(error)")
        }
        return p
    }
}
