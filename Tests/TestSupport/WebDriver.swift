import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real Chromium driven through Debian's chromedriver, over the W3C WebDriver protocol (plain
/// HTTP + JSON): the browser tests of the workbench click, type and upload as a person would.
public final class Browser {
    private let driver: Process
    private let base: URL
    private let session: String

    public struct Failure: Error, CustomStringConvertible { public let description: String }

    /// Starts chromedriver and a headless Chromium; nil when they are not installed.
    public init?(downloads: URL) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") else { return nil }
        let port = Int.random(in: 30_000..<40_000)
        driver = Process()
        driver.executableURL = URL(fileURLWithPath: "/usr/bin/chromedriver")
        driver.arguments = ["--port=\(port)"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        base = URL(string: "http://127.0.0.1:\(port)")!
        var started: String?
        for _ in 0..<100 {
            if (try? Self.call(base, "GET", "/status")) != nil { break }
            usleep(100_000)
        }
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": ["binary": "/usr/bin/chromium",
                                   "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000", "--autoplay-policy=no-user-gesture-required"],
                                   "prefs": ["download.default_directory": downloads.path]],
        ]]]
        let answer = try Self.call(base, "POST", "/session", capabilities)
        started = (answer["value"] as? [String: Any])?["sessionId"] as? String
        guard let started else { driver.terminate(); throw Failure(description: "chromedriver gave no session: \(answer)") }
        session = started
    }

    deinit {
        _ = try? Self.call(base, "DELETE", "/session/\(session)")
        // chromedriver ignores SIGTERM while it has children; the session is closed, so kill it.
        kill(driver.processIdentifier, SIGKILL)
        driver.waitUntilExit()
    }

    /// One WebDriver call, through curl (FoundationNetworking's client failed on chromedriver's
    /// answers: "Failed writing header").
    @discardableResult
    static func call(_ base: URL, _ method: String, _ path: String, _ body: [String: Any]? = nil) throws -> [String: Any] {
        var args = ["-s", "-m", "60", "-X", method, "-w", "\n%{http_code}", base.appendingPathComponent(path).absoluteString]
        if let body {
            args += ["-H", "Content-Type: application/json", "--data-binary", String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)]
        }
        let r = try runProcess("/usr/bin/curl", args)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.last ?? "") ?? 0
        let data = Data(lines.dropLast().joined(separator: "\n").utf8)
        guard status > 0 && status < 400 else { throw Failure(description: "\(method) \(path): \(status) \(String(decoding: data.prefix(500), as: UTF8.self))") }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    @discardableResult
    private func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) throws -> Any? {
        try Self.call(base, method, "/session/\(session)\(path)", body)["value"]
    }

    public func open(_ url: String) throws { try command("POST", "/url", ["url": url]) }
    public var url: String { get throws { try command("GET", "/url") as? String ?? "" } }
    public var title: String { get throws { try command("GET", "/title") as? String ?? "" } }

    /// The element with this CSS selector (waiting up to 10 s for it).
    public func element(_ css: String) throws -> String {
        let deadline = Date().addingTimeInterval(10)
        while true {
            if let v = try? command("POST", "/element", ["using": "css selector", "value": css]) as? [String: Any],
               let id = v.values.first as? String { return id }
            guard Date() < deadline else { throw Failure(description: "no element \(css) on \((try? url) ?? "?")") }
            usleep(200_000)
        }
    }

    public func count(_ css: String) throws -> Int {
        (try command("POST", "/elements", ["using": "css selector", "value": css]) as? [Any])?.count ?? 0
    }

    public func click(_ css: String) throws { try command("POST", "/element/\(try element(css))/click", [:]) }
    public func type(_ css: String, _ text: String) throws {
        let id = try element(css)
        try command("POST", "/element/\(id)/clear", [:])
        try command("POST", "/element/\(id)/value", ["text": text])
    }
    public func text(_ css: String) throws -> String { try command("GET", "/element/\(try element(css))/text") as? String ?? "" }

    /// Runs JavaScript in the page (`arguments` are passed through).
    public func script(_ js: String, _ arguments: [Any] = []) throws -> Any? {
        try command("POST", "/execute/sync", ["script": js, "args": arguments])
    }

    /// Waits until `js` (a JavaScript expression) is true in the page.
    public func wait(until js: String, seconds: Double = 20) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? script("return Boolean(\(js));")) as? Bool == true { return }
            usleep(200_000)
        }
        throw Failure(description: "still false after \(Int(seconds)) s: \(js) on \((try? url) ?? "?")")
    }

    /// A PNG of the window.
    public func screenshot() throws -> Data {
        Data(base64Encoded: try command("GET", "/screenshot") as? String ?? "") ?? Data()
    }

    /// The browser's cookies, as a Cookie header.
    public func cookieHeader() throws -> String {
        ((try command("GET", "/cookie") as? [[String: Any]]) ?? []).compactMap { c in
            guard let n = c["name"] as? String, let v = c["value"] as? String else { return nil }
            return "\(n)=\(v)"
        }.joined(separator: "; ")
    }
}

/// Plain HTTP for tests (URLSession, waited for).
public enum HTTP {
    public static func send(_ request: URLRequest) throws -> (Data, Int, [String: String]) {
        final class Box: @unchecked Sendable { var result: Result<(Data, Int, [String: String]), Error>? }   // written once, read after the signal
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let config = URLSessionConfiguration.ephemeral
        config.httpShouldSetCookies = false
        let session = URLSession(configuration: config, delegate: NoRedirects(), delegateQueue: nil)
        session.dataTask(with: request) { data, response, error in
            if let error { box.result = .failure(error) } else {
                let http = response as? HTTPURLResponse
                let headers = (http?.allHeaderFields ?? [:]).reduce(into: [String: String]()) { $0["\($1.key)".lowercased()] = "\($1.value)" }
                box.result = .success((data ?? Data(), http?.statusCode ?? 0, headers))
            }
            done.signal()
        }.resume()
        done.wait()
        session.finishTasksAndInvalidate()
        return try box.result!.get()
    }

    /// GET or POST `url` with headers (a session cookie, a CSRF token); redirects are not followed.
    public static func request(_ url: String, method: String = "GET", headers: [String: String] = [:], body: Data? = nil) throws -> (Data, Int) {
        let (data, status, _) = try response(url, method: method, headers: headers, body: body)
        return (data, status)
    }

    /// The same with the response's headers (lower-cased names).
    public static func response(_ url: String, method: String = "GET", headers: [String: String] = [:], body: Data? = nil) throws -> (Data, Int, [String: String]) {
        var r = URLRequest(url: URL(string: url)!)
        r.httpMethod = method
        r.httpBody = body
        for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
        return try send(r)
    }

    final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {   // no state
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) { completionHandler(nil) }
    }
}
