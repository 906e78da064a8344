import Foundation
import Testing

@Suite("the store is private to its owner")
struct StorePermissionsTests {
    @Test("after a pull every store file is 0600 and every folder 0700 (state.sqlite, lock, logs, Maildir, archive)")
    func modes() async throws {
        let fixture = try await PullFixture.start(spec: .init(messagesPerFolder: 2))
        defer { fixture.stop() }
        let store = fixture.store + "/store"
        let outcome = try await fixture.runPull(store: store)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        var checked = 0
        for path in [""] + fileTree(store) {
            var info = stat()
            #expect(lstat(store + "/" + path, &info) == 0)
            let mode = info.st_mode & 0o777
            let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
            #expect(
                mode == (isDirectory ? 0o700 : 0o600),
                "\(path.isEmpty ? "store root" : path): \(String(mode, radix: 8))")
            checked += 1
        }
        #expect(checked > 20)
        #expect(
            fileTree(store).contains { $0.hasSuffix("state.sqlite") }
                && fileTree(store).contains { $0.hasSuffix("/lock") })
    }
}
