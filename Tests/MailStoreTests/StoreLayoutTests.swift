import Foundation
import MailStore
import Testing

/// `<store>/<job>/{Maildir,state.sqlite,archives,logs,lock}` and the names that go in it.
@Suite("StoreLayout")
struct StoreLayoutTests {
    @Test("a job's paths")
    func paths() {
        let layout = StoreLayout(storeRoot: "/data/mailferry-data", job: "alice@example.com")
        #expect(layout.jobRoot == "/data/mailferry-data/alice@example.com")
        #expect(layout.maildir == "/data/mailferry-data/alice@example.com/Maildir")
        #expect(layout.database == "/data/mailferry-data/alice@example.com/state.sqlite")
        #expect(layout.archives == "/data/mailferry-data/alice@example.com/archives")
        #expect(layout.logs == "/data/mailferry-data/alice@example.com/logs")
        #expect(layout.lockFile == "/data/mailferry-data/alice@example.com/lock")
    }

    @Test(
        "the job name is the account, safe as a folder name",
        arguments: [
            ("alice@example.com", "imap.example.com", "alice@example.com"),
            ("bob", "mail.example.org", "bob@mail.example.org"),
            ("john.doe+tag@example.com", "h", "john.doe+tag@example.com"),
            ("dom\\user", "exchange.example.com", "dom_user@exchange.example.com"),
            ("../etc", "h", "_._etc@h"),
            (".hidden@example.com", "h", "_hidden@example.com"),
            ("Jiří@example.cz", "h", "Ji__@example.cz"),
        ])
    func jobName(user: String, host: String, expected: String) {
        #expect(StoreLayout.jobName(user: user, host: host) == expected)
    }

    @Test(
        "safe file names keep letters, digits and .@_+- and never start with a dot",
        arguments: [
            ("user@example.com", "user@example.com"),
            ("a b/c:d", "a_b_c_d"),
            ("..", "_."),
            (".", "_"),
            ("ok-name_1+2", "ok-name_1+2"),
            ("ščř", "___"),
        ])
    func safeFileName(_ text: String, _ expected: String) {
        #expect(StoreLayout.safeFileName(text) == expected)
    }

    @Test("timestamps are UTC with dashes, for file names")
    func timestamp() {
        #expect(StoreLayout.timestamp(Date(timeIntervalSince1970: 1_795_602_900)) == "2026-11-25T10-35-00Z")
        #expect(StoreLayout.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00-00-00Z")
    }

    @Test("a log file is named by UTC time, step and account")
    func logFile() {
        let layout = StoreLayout(storeRoot: "/s", job: "j")
        #expect(
            layout.logFile(step: "pull", user: "user@example.com", at: Date(timeIntervalSince1970: 1_795_602_900))
                == "/s/j/logs/2026-11-25T10-35-00Z-pull-user@example.com.log")
        #expect(
            layout.logFile(step: "push", user: "a/b", at: Date(timeIntervalSince1970: 0))
                == "/s/j/logs/1970-01-01T00-00-00Z-push-a_b.log")
    }

    @Test("prepare creates the job's folders")
    func prepare() throws {
        let directory = try TemporaryDirectory()
        let layout = StoreLayout(storeRoot: directory.file("store"), job: "alice@example.com")
        try layout.prepare()
        try layout.prepare()  // again is fine
        #expect(try directory.listing("store/alice@example.com") == ["Maildir", "archives", "logs"])
    }

    @Test("prepare fails with notWritable when the store cannot be created")
    func prepareFails() throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("plain-file")
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        let layout = StoreLayout(storeRoot: file, job: "job")
        let error = #expect(throws: StoreError.self) { try layout.prepare() }
        guard case .notWritable(let path, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(path == layout.jobRoot)
    }
}
