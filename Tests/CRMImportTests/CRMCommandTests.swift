import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import Testing

@Suite("The CRM commands: conversions, task permissions, views")
struct CRMCommandTests {
    func crmgate(_ args: [String], _ w: Workspace) throws -> (status: Int32, stdout: String, stderr: String) {
        let bin = try #require(TestSupport.crmgateBinary)
        return try TestSupport.run(bin, args + ["--store", w.store], cwd: TestSupport.repoRoot)
    }

    func seeded() throws -> Workspace {
        let w = try Workspace()
        for (f, m) in [("csv/generic-leads.csv", "sources/generic-leads.yaml"), ("csv/tasks.csv", "sources/tasks.yaml"), ("csv/opportunities.csv", "sources/opportunities.yaml")] {
            _ = try w.importFile(f, mapping: m)
        }
        return w
    }

    @Test("leads convert: the customer is stored, the lead remembers it, converting again is refused")
    func convertLead() throws {
        let w = try seeded()
        let list = try crmgate(["leads", "list", "--json", "--where", "status=Qualified"], w)
        let leads = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let id = try #require(leads.first?["id"] as? String)
        let first = try crmgate(["leads", "convert", id, "--with-opportunity", "First order", "--amount", "1200", "--currency", "EUR"], w)
        #expect(first.status == 0, "\(first.stderr)")
        let store = try CRMStore(path: w.store)
        let lead = try store.record(Lead.self, id: id)
        #expect(lead.status == "Converted")
        let customer = try store.record(Customer.self, id: lead.convertedCustomerID)
        #expect(customer.email == lead.email && customer.fromLeadID == id)
        #expect(try store.all(Opportunity.self).contains { $0.name == "First order" && $0.customerName == customer.name })
        let again = try crmgate(["leads", "convert", id], w)
        #expect(again.status == 3)
        #expect(again.stdout.contains("converted already"))
    }

    @Test("bulk reassign as a user without the permission changes nothing and says why, per task")
    func refusedBulk() throws {
        let w = try seeded()
        let before = try CRMStore(path: w.store).all(CRMTask.self)
        let r = try crmgate(["tasks", "reassign", "--where", "assignee=Maya Cohen", "--to", "Pablo Ruiz", "--as", "Maya Cohen"], w)
        #expect(r.status == 3)
        #expect(r.stdout.split(separator: "\n").filter { $0.hasPrefix("refused") }.count == 2)
        #expect(r.stdout.contains("may not reassign"))
        #expect(try CRMStore(path: w.store).all(CRMTask.self) == before)
        let ok = try crmgate(["tasks", "reassign", "--where", "assignee=Maya Cohen", "--to", "Pablo Ruiz", "--as", "Victor Chen"], w)
        #expect(ok.status == 0, "\(ok.stdout)")
        #expect(try CRMStore(path: w.store).all(CRMTask.self).filter { $0.assignee == "Pablo Ruiz" }.count == 4)
    }

    @Test("tasks list shows only your tasks unless you can see all")
    func visibility() throws {
        let w = try seeded()
        let maya = try crmgate(["tasks", "list", "--json", "--as", "Maya Cohen"], w)
        let grace = try crmgate(["tasks", "list", "--json", "--as", "Grace Kim"], w)
        let m = try #require(try JSONSerialization.jsonObject(with: Data(maya.stdout.utf8)) as? [[String: Any]])
        let g = try #require(try JSONSerialization.jsonObject(with: Data(grace.stdout.utf8)) as? [[String: Any]])
        #expect(m.count == 2)
        #expect(g.count == 6)
    }

    @Test("opportunities kanban --json: columns in pipeline order with counts")
    func kanban() throws {
        let w = try seeded()
        let r = try crmgate(["opportunities", "kanban", "--json"], w)
        let cols = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        #expect(cols.prefix(7).compactMap { $0["name"] as? String } == OpportunityStage.defaults)
        #expect(cols.compactMap { $0["count"] as? Int }.reduce(0, +) == 30)
    }
}
