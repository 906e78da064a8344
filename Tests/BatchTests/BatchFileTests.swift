import Batch
import Foundation
import Testing

/// The batch files of `fixtures/batches`, read as `docs/batch-csv.md` says; what each must
/// yield is the table of `fixtures/batches/README.md`.
@Suite("batch file: strict CSV, every fault at once, never a password")
struct BatchFileTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/batches")

    static func read(_ name: String) throws -> (text: String, file: BatchFile) {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        return (text, BatchFile(text: text))
    }

    /// Every password of a fixture, to check that no report prints one.
    static func passwords(in text: String) -> [String] {
        [
            "password123", "xahtaiTeemieF5eeCaed", "Secret-Passw0rd", "plainPassw0rd", "Str0ngerPassword",
            "Passw0rdGood1",
            "pa,ss\"word", "Tar,get\"Passw0rd", "heslo-žluťoučký-1A", "Heslo-Žluťoučký-2B",
        ].filter { text.contains($0) }
    }

    @Test(
        "good files: three jobs with the defaults applied",
        arguments: ["good.csv", "good-no-header.csv", "good-bom-crlf.csv"])
    func goodFiles(name: String) throws {
        let (_, file) = try Self.read(name)
        #expect(file.problems.isEmpty, "\(file.problems)")
        #expect(file.rows.count == 3)
        let second = try #require(file.rows.dropFirst().first)
        #expect(second.sourcePort == 993 && second.sourceTLS, "empty port with TLS: 993")
        #expect(
            second.targetUser == second.sourceUser && second.targetPassword == second.sourcePassword,
            "targets default to the source")
        #expect(!second.createMailbox)
        let third = try #require(file.rows.last)
        #expect(third.sourcePort == 143 && !third.sourceTLS && third.createMailbox, "plain on 143, create from \"1\"")
        #expect(third.targetUser == "legacy@example.com")
        #expect(file.rows.first?.line == (name == "good-no-header.csv" ? 1 : 2), "lines count the header")
    }

    @Test("the header may call column 8 create_target_mailbox")
    func headerAlias() throws {
        let (_, file) = try Self.read("good-header-create-target-mailbox.csv")
        #expect(file.problems.isEmpty, "\(file.problems)")
        #expect(!file.rows.isEmpty)
    }

    @Test("quoted passwords keep their commas, doubled quotes and non-ASCII letters; booleans in any case")
    func specialPasswords() throws {
        let (_, file) = try Self.read("good-special-passwords.csv")
        #expect(file.problems.isEmpty, "\(file.problems)")
        #expect(file.rows.map(\.sourcePassword) == ["pa,ss\"word", "heslo-žluťoučký-1A"])
        #expect(file.rows.map(\.targetPassword) == ["Tar,get\"Passw0rd", "Heslo-Žluťoučký-2B"])
        #expect(file.rows.map(\.sourceTLS) == [true, true] && file.rows.map(\.createMailbox) == [false, false])
    }

    @Test(
        "each bad file: exactly the faults its README line lists, nothing started, no password printed",
        arguments: [
            ("bad-unclosed-quote.csv", [(2, nil as String?, "unclosed quote")]),
            ("bad-column-count.csv", [(2, nil, "5 columns, expected 8")]),
            ("bad-port.csv", [(2, "source_port", "out of range"), (3, "source_port", "not a number")]),
            ("bad-bool.csv", [(2, "source_tls", "maybe")]),
            ("bad-weak-password.csv", [(2, "target_password", "8 characters"), (3, "target_password", "uppercase")]),
            ("bad-duplicate-target.csv", [(3, "target_user", "line 2")]),
            (
                "bad-empty-required.csv",
                [(2, "source_server", "required"), (3, "source_user", "required"), (4, "source_password", "required")]
            ),
            ("bad-mixed.csv", [(3, "source_port", "out of range"), (4, nil, "unclosed quote")]),
        ])
    func badFiles(name: String, expected: [(Int, String?, String)]) throws {
        let (text, file) = try Self.read(name)
        #expect(!file.isValid)
        #expect(file.problems.count == expected.count, "\(file.problems)")
        for (problem, (line, column, says)) in zip(file.problems, expected) {
            #expect(problem.line == line && problem.column == column, "\(problem)")
            #expect(problem.reason.contains(says), "\(problem)")
        }
        let printed = file.problems.map(\.description).joined(separator: "\n")
        for password in Self.passwords(in: text) { #expect(!printed.contains(password), "a password in: \(printed)") }
    }

    @Test(
        "faults the fixtures do not hold",
        arguments: [
            ("a,b,c,993,true,,,false\n", 1, "target_password", "(defaulted from source_password)"),
            ("imap.example.com,u,\"pa\"ss\",993,true,,,false\n", 1, nil, "text after a closing quote"),
            ("imap.example.com,u,pa\"ss,993,true,,,false\n", 1, nil, "quote inside an unquoted field"),
            ("https://imap.example.com,u,Passw0rdGood1,993,true,,,false\n", 1, "source_server", "not a host name"),
            ("imap.example.com,u,Passw0rdGood1,993,true,,,maybe\n", 1, "create_mailbox", "not true/false"),
            (
                "source_server,source_user,password,source_port,source_tls,target_user,target_password,create_mailbox\nx,u,Passw0rdGood1,,,,,\n",
                1, "source_password", "header column 3"
            ),
            ("\n\n", 1, nil, "no mailboxes"),
        ] as [(String, Int, String?, String)])
    func otherFaults(text: String, line: Int, column: String?, says: String) {
        let file = BatchFile(text: text)
        let problem = file.problems.first
        #expect(problem?.line == line && problem?.column == column, "\(file.problems)")
        #expect(problem?.reason.contains(says) == true, "\(file.problems)")
    }

    @Test("a quoted field may span lines; the next record's line number counts them")
    func multilineField() {
        let file = BatchFile(
            text:
                "imap.example.com,u1,\"Passw0rd\nGood1\",993,true,,,false\nimap.example.com,u2,Passw0rdGood2,993,true,,,x\n"
        )
        #expect(file.rows.first?.sourcePassword == "Passw0rd\nGood1")
        #expect(file.problems.map(\.line) == [3])
    }
}
