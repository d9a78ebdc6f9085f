import CRMSync
import Foundation
import Testing

/// The pull's decision for a linked record, as a table: base, local, remote, what waits, the policy → the plan.
@Suite("Pull planner")
struct PullPlannerTests {
    static let base = Snapshot(["first_name": "Ada", "company": "AE", "phone": "1"])
    static func s(_ changes: [String: String]) -> Snapshot {
        var v = base.values
        for (k, x) in changes { v[k] = x }
        return Snapshot(v)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var input: PullInput
        var decision: PullDecision
        var closeConflict = false
        var markUnsent = false
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "the remote agrees with the base: nothing to do",
            input: PullInput(
                base: base, local: s(["company": "Local"]), localEditedSinceSync: true, remote: base,
                policy: .newestWins),
            decision: .unchanged),
        Case(
            name: "only the remote changed: take it",
            input: PullInput(
                base: base, local: base, localEditedSinceSync: false, remote: s(["company": "Remote"]), policy: .manual),
            decision: .takeRemote),
        Case(
            name: "the counter moved but the values are the base's: take the remote",
            input: PullInput(
                base: base, local: base, localEditedSinceSync: true, remote: s(["company": "Remote"]), policy: .manual),
            decision: .takeRemote),
        Case(
            name: "both changed different fields: merged, nothing settled by policy",
            input: PullInput(
                base: base, local: s(["phone": "2"]), localEditedSinceSync: true, remote: s(["company": "Remote"]),
                policy: .manual),
            decision: .merge(merged: s(["phone": "2", "company": "Remote"]), settledByPolicy: false)),
        Case(
            name: "the same field both ways under manual: a conflict",
            input: PullInput(
                base: base, local: s(["company": "Local"]), localEditedSinceSync: true,
                remote: s(["company": "Remote"]), policy: .manual),
            decision: .conflict(fields: ["company"])),
        Case(
            name: "the same field both ways under remote-wins: settled by the policy",
            input: PullInput(
                base: base, local: s(["company": "Local"]), localEditedSinceSync: true,
                remote: s(["company": "Remote"]), policy: .remoteWins),
            decision: .merge(merged: s(["company": "Remote"]), settledByPolicy: true)),
        Case(
            name: "a waiting conflict that still conflicts is only refreshed, whatever the policy",
            input: PullInput(
                base: base, local: s(["company": "Local"]), localEditedSinceSync: true,
                remote: s(["company": "Remote 2"]),
                conflictWaiting: true, policy: .remoteWins),
            decision: .stillConflicted(fields: ["company"])),
        Case(
            name: "a waiting conflict whose remote went back to the base closes; the local edit is pushed next",
            input: PullInput(
                base: base, local: s(["company": "Local"]), localEditedSinceSync: true, remote: base,
                conflictWaiting: true, policy: .manual),
            decision: .unchanged, closeConflict: true, markUnsent: true),
        Case(
            name: "a deleted local record does not take the remote's change",
            input: PullInput(
                base: base, local: base, localDeleted: true, localEditedSinceSync: true,
                remote: s(["company": "Remote"]), policy: .remoteWins),
            decision: .skipDeleted),
        Case(
            name:
                "a dead run's update that the remote applied late counts as ours: nothing to take, the newer local edit is pushed next",
            input: PullInput(
                base: base, sentUpdate: Snapshot(["company": "Sent"]), local: s(["company": "Newer"]),
                localEditedSinceSync: true,
                remote: s(["company": "Sent"]), policy: .newestWins, localTime: Date(timeIntervalSince1970: 1),
                remoteTime: Date(timeIntervalSince1970: 2)),
            decision: .unchanged),
        Case(
            name: "without the journal the same state is a conflict the remote's clock wins",
            input: PullInput(
                base: base, local: s(["company": "Newer"]), localEditedSinceSync: true, remote: s(["company": "Sent"]),
                policy: .newestWins,
                localTime: Date(timeIntervalSince1970: 1), remoteTime: Date(timeIntervalSince1970: 2)),
            decision: .merge(merged: s(["company": "Sent"]), settledByPolicy: true)),
    ]

    @Test("decisions", arguments: cases)
    func decide(_ c: Case) {
        let plan = PullPlanner.plan(c.input)
        if c.input.sentUpdate != nil { #expect(plan.base["company"] == "Sent", "the sent value is the base") }
        #expect(plan.decision == c.decision)
        #expect(plan.closeConflict == c.closeConflict)
        #expect(plan.markUnsent == c.markUnsent)
    }
}
