import CCurl
import Foundation

/// Settings every transfer of one client shares.
struct TransferSettings: Sendable {
    var connectTimeoutMs: Int
    var totalTimeoutMs: Int
    var lowSpeedBytesPerSecond: Int
    var lowSpeedSeconds: Int
    var maxBodyBytes: Int
    var caBundle: String?
    var insecure: Bool
    var userAgent: String
}

/// What one attempt ended with: a response, or libcurl's error.
enum AttemptResult: Sendable {
    case response(HTTPResponse)
    case failure(curlCode: Int, message: String, bodyTooLarge: Bool)
}

/// One request in flight: owns its easy handle, header list and buffers. Lives on the loop's thread.
final class CurlTransfer {
    let easy: UnsafeMutableRawPointer
    var headerList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer: UnsafeMutablePointer<CChar>
    var body: [UInt8] = []
    var headerBytes: [UInt8] = []
    var tooLarge = false
    let maxBody: Int
    let completion: @Sendable (AttemptResult) -> Void
    let started = ProcessInfo.processInfo.systemUptime

    init?(request: HTTPRequest, settings: TransferSettings, completion: @escaping @Sendable (AttemptResult) -> Void) {
        guard let easy = curl_easy_init() else { return nil }
        self.easy = easy
        self.maxBody = settings.maxBodyBytes
        self.completion = completion
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        configure(request, settings)
    }

    deinit {
        curl_easy_cleanup(easy)
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    private func configure(_ r: HTTPRequest, _ s: TransferSettings) {
        crmgate_easy_setopt_string(easy, CURLOPT_URL, r.url)
        crmgate_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        crmgate_easy_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        crmgate_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)  // credentials never follow a redirect
        crmgate_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        // libcurl silently resends a request whose reused connection died before answering. That must not happen
        // to a create that may not be repeated: such requests get a connection of their own.
        if !r.mayRepeat { crmgate_easy_setopt_long(easy, CURLOPT_FRESH_CONNECT, 1) }
        crmgate_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, s.connectTimeoutMs)
        crmgate_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, s.totalTimeoutMs)
        crmgate_easy_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, s.lowSpeedBytesPerSecond)
        crmgate_easy_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, s.lowSpeedSeconds)
        crmgate_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        crmgate_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "")  // every encoding libcurl decodes (gzip, deflate, br)
        crmgate_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))  // HTTP/2 when TLS offers it
        crmgate_easy_setopt_long(easy, CURLOPT_PIPEWAIT, 1)
        crmgate_easy_setopt_string(easy, CURLOPT_USERAGENT, s.userAgent)
        crmgate_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        if let ca = s.caBundle { crmgate_easy_setopt_string(easy, CURLOPT_CAINFO, ca) }
        crmgate_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, s.insecure ? 0 : 1)
        crmgate_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, s.insecure ? 0 : 2)
        switch r.method {
        case .get: crmgate_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
        case .head: crmgate_easy_setopt_long(easy, CURLOPT_NOBODY, 1)
        case .post: crmgate_easy_setopt_long(easy, CURLOPT_POST, 1)
        case .put, .patch, .delete: crmgate_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, r.method.rawValue)
        }
        if let b = r.body {
            crmgate_easy_setopt_offset(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(b.count))
            b.withUnsafeBufferPointer { p in
                // COPYPOSTFIELDS copies the bytes, so the array may go away.
                _ = p.baseAddress.map {
                    crmgate_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0))
                }
                if b.isEmpty { crmgate_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, "") }
            }
        } else if r.method == .post {
            crmgate_easy_setopt_offset(easy, CURLOPT_POSTFIELDSIZE_LARGE, 0)
            crmgate_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, "")
        }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for h in r.headers { list = curl_slist_append(list, "\(h.name): \(h.value)") }
        list = curl_slist_append(list, "Expect:")  // no 100-continue round trip
        headerList = list
        crmgate_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list)

        let me = Unmanaged.passUnretained(self).toOpaque()
        crmgate_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, me)
        crmgate_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION) { ptr, size, n, user in
            let t = Unmanaged<CurlTransfer>.fromOpaque(user!).takeUnretainedValue()
            let count = size * n
            if t.body.count + count > t.maxBody {
                t.tooLarge = true
                return 0
            }
            if let ptr {
                ptr.withMemoryRebound(to: UInt8.self, capacity: count) {
                    t.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: count))
                }
            }
            return count
        }
        crmgate_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, me)
        crmgate_easy_setopt_callback(easy, CURLOPT_HEADERFUNCTION) { ptr, size, n, user in
            let t = Unmanaged<CurlTransfer>.fromOpaque(user!).takeUnretainedValue()
            let count = size * n
            guard let ptr, count > 0 else { return count }
            ptr.withMemoryRebound(to: UInt8.self, capacity: count) { p in
                // A status line starts a new response (after 100 Continue or similar): keep only the last one's
                // headers.
                if count >= 5, p[0] == 72, p[1] == 84, p[2] == 84, p[3] == 80, p[4] == 47 {
                    t.headerBytes.removeAll(keepingCapacity: true)
                }
                t.headerBytes.append(contentsOf: UnsafeBufferPointer(start: p, count: count))
            }
            return count
        }
    }

    /// The result after libcurl finished the transfer with `code`.
    func finish(_ code: CURLcode) -> AttemptResult {
        if code != CURLE_OK {
            let buffered = String(cString: errorBuffer)
            let message = buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered
            return .failure(curlCode: Int(code.rawValue), message: message, bodyTooLarge: tooLarge)
        }
        var status = 0
        crmgate_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        var version = 0
        crmgate_easy_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
        var headers = HTTPHeaders()
        for line in headerBytes.split(separator: 10).dropFirst() {
            guard let colon = line.firstIndex(of: 58) else { continue }
            var a = line.index(after: colon)
            var b = line.endIndex
            while a < b, line[a] == 32 || line[a] == 9 { a += 1 }
            while b > a, line[b - 1] == 13 || line[b - 1] == 32 || line[b - 1] == 9 { b -= 1 }
            headers.add(
                String(decoding: line[line.startIndex..<colon], as: UTF8.self),
                String(decoding: line[a..<b], as: UTF8.self))
        }
        let v: String =
            switch Int32(version) {
            case Int32(CURL_HTTP_VERSION_2_0): "2"
            case Int32(CURL_HTTP_VERSION_1_0): "1.0"
            default: "1.1"
            }
        return .response(
            HTTPResponse(
                status: status, headers: headers, body: body, httpVersion: v,
                elapsed: ProcessInfo.processInfo.systemUptime - started))
    }
}

private let curlGlobalInit: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

/// libcurl's multi interface driven by one dedicated thread: every transfer of a client runs there, so
/// Swift's cooperative pool never blocks on the network. Connections are reused across transfers.
final class CurlMultiLoop: @unchecked Sendable {
    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    private var pending: [(HTTPRequest, TransferSettings, @Sendable (AttemptResult) -> Void)] = []
    private var stopping = false
    private var thread: Thread?
    private let stopped = DispatchSemaphore(value: 0)

    init(maxConnections: Int) {
        _ = curlGlobalInit
        multi = curl_multi_init()
        crmgate_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxConnections)
        crmgate_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnections)
        crmgate_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(4, maxConnections))
        crmgate_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
    }

    deinit { curl_multi_cleanup(multi) }

    /// Queues one attempt; `completion` runs on the loop's thread.
    func submit(
        _ request: HTTPRequest, _ settings: TransferSettings, completion: @escaping @Sendable (AttemptResult) -> Void
    ) {
        lock.lock()
        if stopping {
            lock.unlock()
            completion(.failure(curlCode: -1, message: "the HTTP client was shut down", bodyTooLarge: false))
            return
        }
        pending.append((request, settings, completion))
        if thread == nil {
            let t = Thread { [self] in run() }
            t.name = "crmgate-curl"
            thread = t
            t.start()
        }
        lock.unlock()
        curl_multi_wakeup(multi)
    }

    /// Stops the loop after the transfers in flight end with an error; waits for the thread.
    func shutdown() {
        lock.lock()
        let started = thread != nil
        stopping = true
        lock.unlock()
        curl_multi_wakeup(multi)
        if started { stopped.wait() }
    }

    private func run() {
        var live: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        while true {
            lock.lock()
            let incoming = pending
            pending.removeAll()
            let stop = stopping
            lock.unlock()
            if stop {
                for t in live.values {
                    curl_multi_remove_handle(multi, t.easy)
                    t.completion(.failure(curlCode: -1, message: "the HTTP client was shut down", bodyTooLarge: false))
                }
                for (_, _, c) in incoming {
                    c(.failure(curlCode: -1, message: "the HTTP client was shut down", bodyTooLarge: false))
                }
                stopped.signal()
                return
            }
            for (request, settings, completion) in incoming {
                guard let t = CurlTransfer(request: request, settings: settings, completion: completion) else {
                    completion(
                        .failure(
                            curlCode: Int(CURLE_FAILED_INIT.rawValue), message: "curl_easy_init failed",
                            bodyTooLarge: false))
                    continue
                }
                live[t.easy] = t
                curl_multi_add_handle(multi, t.easy)
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let msg = curl_multi_info_read(multi, &queued) {
                guard msg.pointee.msg == CURLMSG_DONE, let easy = msg.pointee.easy_handle else { continue }
                let code = msg.pointee.data.result
                curl_multi_remove_handle(multi, easy)
                if let t = live.removeValue(forKey: easy) { t.completion(t.finish(code)) }
            }
            var fds: Int32 = 0
            curl_multi_poll(multi, nil, 0, live.isEmpty ? 1000 : 100, &fds)
        }
    }
}
