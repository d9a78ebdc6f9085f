import ArgumentParser
import CRMStore
import CRMWeb
import Foundation

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract:
            "A local web page for what people decide: review pairs, conflicts, import reports, boards and the calendar.",
        discussion: """
            The first line of output is the sign-in URL with a one-time token; open it in a browser on this machine. The token \
            becomes a session cookie (HttpOnly, SameSite=Strict), every form carries a CSRF token, and a change without them is \
            refused (401, 403). Task changes follow the permissions of the users file for the user the page acts as (chosen at \
            the top of every page). Binds 127.0.0.1 unless --host says otherwise. Ctrl-C stops it.

            Examples:
              crmgate serve --store crm.sqlite
              crmgate serve --store crm.sqlite --port 0 --as "Grace Kim"     (any free port; the URL says which)
              crmgate serve --store crm.sqlite --read-only
            """)
    @Option(name: .long, help: "The address to listen on; anything but loopback prints a warning.") var host =
        "127.0.0.1"
    @Option(name: .long, help: "The port (0: any free one).") var port = 8080
    @Flag(name: .long, help: "Show the pages; refuse every change.") var readOnly = false
    @Option(name: .customLong("as"), help: "The user a new session acts as (default: the first of the users file).")
    var user: String?
    @Option(name: .long, help: "The users file: who may do what with tasks.") var users = "mappings/users.yaml"
    @Option(name: .long, help: "The pipelines file (the order of statuses and stages).") var pipelines =
        "mappings/pipelines.yaml"
    @OptionGroup var zoneOptions: ZoneOptions
    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
    }

    func run() async throws {
        _ = try StoreLocation(storeOptions.store)
        var config = WebConfig(storePath: storeOptions.store)
        config.host = host
        config.port = port
        config.readOnly = readOnly
        config.user = user
        config.usersPath = users
        config.pipelinesPath = pipelines
        config.zone = try zoneOptions.zone()
        let app: WebApp
        do { app = try WebApp(config: config) } catch let e as WebError { throw CLIError(e.message, code: 66) }
        if !["127.0.0.1", "::1", "localhost"].contains(host) {
            FileHandle.standardError.write(
                Data(
                    "crmgate: warning: listening on \(host), not only on this machine: anyone who can reach it and has the sign-in URL can act as \(user ?? "the first user")\n"
                        .utf8))
        }
        try await app.run { port in
            // Written straight to the descriptor: a reader waiting for this line gets it at once.
            FileHandle.standardOutput.write(Data((app.signInURL(port: port) + "\n").utf8))
        }
    }
}
