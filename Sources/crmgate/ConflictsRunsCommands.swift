import ArgumentParser
import CRMHTTP
import CRMModel
import CRMStore
import CRMSync
import Foundation
import Logging

struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts", abstract: "Records waiting for a person after a sync conflict.",
        subcommands: [List.self, Show.self, Resolve.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open conflicts.")
        @Flag(name: .long, help: "Include resolved ones.") var all = false
        @Flag(
            name: .long,
            help:
                "Print a JSON array, an object per conflict: id, status, record_type, local_id, remote_id, fields, job."
        ) var json =
            false
        @OptionGroup var storeOptions: StoreOptions
        func run() throws {
            let store = try storeOptions.openSync(.readOnly)
            let cs = try store.conflicts(status: all ? nil : .open)
            if json {
                var list = JSONListPrinter()
                defer { list.finish() }
                for c in cs {
                    list.add(
                        "{\"id\":\(c.id),\"status\":\(jsonString(c.status.rawValue)),\"record_type\":\(jsonString(c.recordType.rawValue)),"
                            + "\"local_id\":\(jsonString(c.localID)),\"remote_id\":\(jsonString(c.remoteID)),"
                            + "\"fields\":[\(c.fields.map(jsonString).joined(separator: ","))],\"job\":\(jsonString(c.job))}"
                    )
                }
                return
            }
            if cs.isEmpty {
                print("no \(all ? "" : "open ")conflicts")
                return
            }
            for c in cs {
                print(
                    "\(c.id)\t\(c.status)\t\(c.recordType.rawValue)\t\(c.localID)\tremote \(c.remoteID)\t\(c.fields.joined(separator: ","))\t\(c.job)"
                )
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One conflict: base, local and remote values of each field.")
        @Argument(help: "The conflict's number, as `conflicts list` shows it.") var number: Number
        var id: Int64 { number.value }
        @Flag(
            name: .long,
            help:
                "Print one JSON object: the fields of `conflicts list --json`, and base, local and remote as objects of field values."
        ) var json = false
        @OptionGroup var storeOptions: StoreOptions
        func run() throws {
            let store = try storeOptions.openSync(.readOnly)
            guard let c = try store.conflict(id: id) else {
                throw fail(SyncError(.notFound, message: "no conflict has the id \(id)"))
            }
            let base = Snapshot(json: c.base)
            let local = Snapshot(json: c.local)
            let remote = Snapshot(json: c.remoteSide)
            if json {
                print(
                    "{\"id\":\(c.id),\"status\":\(jsonString(c.status.rawValue)),\"record_type\":\(jsonString(c.recordType.rawValue)),"
                        + "\"local_id\":\(jsonString(c.localID)),\"remote_id\":\(jsonString(c.remoteID)),"
                        + "\"fields\":[\(c.fields.map(jsonString).joined(separator: ","))],\"job\":\(jsonString(c.job)),"
                        + "\"base\":\(base.json),\"local\":\(local.json),\"remote\":\(remote.json)}")
                return
            }
            print(
                "conflict \(c.id) (\(c.status)) on \(c.recordType.rawValue) \(c.localID), remote \(c.remoteID), job \(c.job)"
            )
            for k in Set(base.values.keys).union(local.values.keys).union(remote.values.keys).sorted()
            where local[k] != remote[k] || c.fields.contains(k) {
                print(
                    "  \(c.fields.contains(k) ? "!" : " ") \(k): base \(jsonString(base[k] ?? "")), local \(jsonString(local[k] ?? "")), remote \(jsonString(remote[k] ?? ""))"
                )
            }
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Settle a conflict; the next push sends the result.")
        @Argument(help: "The conflict's number, as `conflicts list` shows it.") var number: Number
        var id: Int64 { number.value }
        @Option(
            name: .long,
            help:
                "local (the record as it is now), remote (the remote side shown), or merged (what one side alone changed from that side, the conflicting fields from local)."
        ) var take: String = "merged"
        @Option(name: .customLong("set"), help: "field=value overriding the chosen side (repeatable).") var sets:
            [String] = []
        @OptionGroup var storeOptions: StoreOptions
        func run() throws {
            guard let t = ConflictResolution.Take(rawValue: take) else {
                throw CLIError.usage("--take must be local, remote or merged")
            }
            var values: [String: String] = [:]
            for s in sets {
                guard let eq = s.firstIndex(of: "=") else {
                    throw CLIError.usage("--set takes field=value, not '\(s)'")
                }
                values[String(s[..<eq])] = String(s[s.index(after: eq)...])
            }
            do {
                let store = try storeOptions.openSync(.update)
                let result = try ConflictResolution.resolve(store: store, id: id, take: t, sets: values)
                func fields(_ f: [String]) -> String {
                    f.isEmpty ? "no field" : "\(f.count) field\(f.count == 1 ? "" : "s") (\(f.joined(separator: ", ")))"
                }
                print(
                    "conflict \(id) resolved (took \(t.rawValue)): \(fields(result.changedHere)) changed here; "
                        + (result.toSend.isEmpty
                            ? "the remote holds these values, the next sync sends nothing for it"
                            : "the next sync sends \(fields(result.toSend))"))
            } catch let e as SyncError { throw fail(e) }
        }
    }
}

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "Past sync runs.", subcommands: [List.self])
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Past runs with their counts, newest first.",
            discussion:
                "Each line: run id, job, start, status, then the counts that are not zero (pulled, pushed, conflicts, refused…). `crmgate undo ID` reverts a run."
        )
        @OptionGroup var storeOptions: StoreOptions
        @Flag(
            name: .long,
            help: "Print a JSON array, an object per run: id, job, started_at, status, counts (every count), message.")
        var json = false

        func run() throws {
            let store = try storeOptions.openSync(.readOnly)
            let runs = try store.runs()
            var list = JSONListPrinter()
            defer { if json { list.finish() } }
            for r in runs {
                let counts = (try? JSONValue.parse(Array(r.counts.utf8))) ?? .object([])
                if json {
                    list.add(
                        "{\"id\":\(r.id),\"job\":\(jsonString(r.job)),\"started_at\":\(jsonString(r.startedAt)),\"status\":\(jsonString(r.status.rawValue)),"
                            + "\"counts\":\(counts.text),\"message\":\(r.message.map(jsonString) ?? "null")}")
                    continue
                }
                var shown: [String] = []
                if case .object(let pairs) = counts {
                    for (k, v) in pairs {
                        if case .number(let n) = v, n != 0 {
                            shown.append("\(k.replacingOccurrences(of: "_", with: " ")) \(Int(n))")
                        }
                    }
                }
                if shown.isEmpty, r.status != .ok, let entries = try? store.undoEntries(run: r.id), !entries.isEmpty {
                    // A run stopped before its counts were written (killed, interrupted) still saved its changes at
                    // each checkpoint, with their undo lines: counted from those, not shown as "no changes" (a trial).
                    var byKind: [String: Int] = [:]
                    for e in entries {
                        byKind["\(e.action.rawValue) \(e.side == .remote ? "remotely" : "here")", default: 0] += 1
                    }
                    shown = byKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                    shown.append("(from its undo lines; its counts were not saved)")
                }
                print(
                    "#\(r.id)  \(r.job)  \(r.startedAt)  \(r.status)  \(shown.isEmpty ? "no changes" : shown.joined(separator: ", "))"
                        + (r.message.map { "  (\($0))" } ?? ""))
            }
        }
    }
}

struct UndoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undo",
        abstract: "Revert a sync run: delete what it created, restore what it overwrote, on both sides.",
        discussion:
            "A record changed since the run is left alone and named. Exit codes: 0 all reverted; 3 some records refused; 64 unknown run; 69 the remote failed (run it again); 78 profile problems."
    )
    @Argument(help: "The run id (`crmgate runs list`): 12 or #12.") var runNumber: Number
    var runID: Int64 { runNumber.value }
    @Flag(name: .long, help: "Say what would be reverted, change nothing.") var dryRun = false
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let logger = setUpLogging(verbose: remote.verbose)
        do {
            let store: any SyncStore
            do { store = try storeOptions.openSync(.update) } catch let e as StoreError where e.code == .missing {
                throw e
            } catch {
                throw SyncError(.store, message: "\(error)")
            }
            guard let r = try store.runs().first(where: { $0.id == runID }) else {
                throw SyncError(.notFound, message: "no run has the id \(runID); `crmgate runs list` shows them")
            }
            guard let profileName = r.profile else {
                throw SyncError(.notFound, message: "run \(runID) predates undo manifests")
            }
            let client = try RemoteClient(
                profile: try RemoteProfile.load(profileName), baseURL: remote.baseURL ?? r.baseURL,
                insecure: remote.insecure, caBundle: remote.caBundle, logger: logger)
            let undo = RunUndo(store: store, client: client)
            let id = runID
            let dry = dryRun
            let outcome = try await undo.undo(run: id, dryRun: dry)
            for line in outcome.lines { print(line) }
            print(
                "undo of run \(runID): \(outcome.reverted) reverted, \(outcome.refused) refused"
                    + (dryRun ? " (dry run)" : ""))
            if outcome.refused > 0 { throw ExitCode(3) }
        } catch let e as SyncError { throw fail(e) }
    }
}
