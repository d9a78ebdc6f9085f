import CRMSync
import Foundation
import Testing

/// The push's decision for a changed record, as a table: counters, link, tombstone, waiting conflict, journal → what
/// to send.
@Suite("Push planner")
struct PushPlannerTests {
    static let base = Snapshot(["first_name": "Ada", "company": "AE"])
    static let edited = Snapshot(["first_name": "Ada", "company": "AE Ltd", "phone": "1"])

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var input: PushInput
        var decision: PushDecision
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "the link was agreed at this change: nothing to send",
            input: PushInput(changeSeq: 5, syncedSeq: 5, base: base, local: edited), decision: .alreadySynced),
        Case(
            name: "the link was agreed after this change (a pull wrote it): nothing to send",
            input: PushInput(changeSeq: 4, syncedSeq: 9, deleted: true, base: base, local: base),
            decision: .alreadySynced),
        Case(
            name: "a conflict waits: nothing is sent, whatever changed",
            input: PushInput(changeSeq: 6, syncedSeq: 5, conflictWaiting: true, base: base, local: edited),
            decision: .waitForConflict),
        Case(
            name: "a waiting conflict holds back a delete too",
            input: PushInput(
                changeSeq: 6, syncedSeq: 5, deleted: true, conflictWaiting: true, allowDelete: true, local: base),
            decision: .waitForConflict),
        Case(
            name: "deleted locally, never linked: the remote never had it",
            input: PushInput(changeSeq: 3, syncedSeq: nil, deleted: true, allowDelete: true, local: base),
            decision: .nothingToDelete),
        Case(
            name: "deleted locally without --allow-delete: kept remotely",
            input: PushInput(changeSeq: 6, syncedSeq: 5, deleted: true, allowDelete: false, local: base),
            decision: .keepRemote),
        Case(
            name: "deleted locally with --allow-delete: delete the remote record",
            input: PushInput(changeSeq: 6, syncedSeq: 5, deleted: true, allowDelete: true, local: base),
            decision: .delete),
        Case(
            name: "new locally: create it", input: PushInput(changeSeq: 1, syncedSeq: nil, local: edited),
            decision: .create(recover: false)),
        Case(
            name: "a create whose answer was lost: look for it before sending again",
            input: PushInput(changeSeq: 1, syncedSeq: nil, createSentBefore: true, local: edited),
            decision: .create(recover: true)),
        Case(
            name: "changed since the base: send the changed fields only",
            input: PushInput(changeSeq: 6, syncedSeq: 5, base: base, local: edited),
            decision: .update(fields: ["company", "phone"])),
        Case(
            name: "a field cleared locally is a change",
            input: PushInput(changeSeq: 6, syncedSeq: 5, base: base, local: Snapshot(["first_name": "Ada"])),
            decision: .update(fields: ["company"])),
        Case(
            name: "the counter moved but the values are the base's: only the counter moves",
            input: PushInput(changeSeq: 6, syncedSeq: 5, base: base, local: base), decision: .advance),
    ]

    @Test("decisions", arguments: cases)
    func decide(_ c: Case) {
        #expect(PushPlanner.plan(c.input) == c.decision)
    }
}
