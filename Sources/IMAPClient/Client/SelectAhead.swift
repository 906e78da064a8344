import IMAPCore

/// A SELECT sent behind the other commands of a flight, for the mailbox the caller turns to
/// next: that mailbox then costs no round trip of its own to select. A server runs a SELECT
/// only once the commands before it are done, so its untagged data are those that arrive after
/// every earlier command of the flight has been answered.
final class SelectAhead {
    /// Its place in the flight.
    let index: Int
    /// The SELECT itself, as the flight takes it.
    let command: (EncodedCommand, [AppendRequest])
    private(set) var state: SelectedMailbox
    private var earlierAnswered = 0

    init(_ mailbox: MailboxName, index: Int, command: EncodedCommand) {
        self.index = index; self.command = (command, [])
        state = SelectedMailbox(name: mailbox)
    }

    func answered(_ commandIndex: Int) {
        if commandIndex < index { earlierAnswered += 1 }
    }

    func observe(_ event: ResponseEvent) {
        if earlierAnswered == index { state.absorb(event) }
    }
}

extension IMAPClient {
    /// The SELECT to send after `count` commands, when the caller named a mailbox.
    func selectAhead(_ mailbox: MailboxName?, after count: Int, on connection: IMAPConnection) -> SelectAhead? {
        guard let mailbox else { return nil }
        let command = Command.select(mailbox, condStore: capabilities.contains(.condStore))
        return SelectAhead(mailbox, index: count, command: currentEncoder.encode(command, tag: connection.nextTag()))
    }

    /// Takes the answer to a SELECT sent ahead: that mailbox is now the selected one, and the
    /// next `select` of it returns this answer; a refusal leaves no mailbox selected (RFC 3501
    /// §6.3.1) and the next `select` asks again.
    func settle(_ ahead: SelectAhead, _ response: TaggedResponse) {
        guard response.status == .ok else {
            selected = nil
            return
        }
        var state = ahead.state
        state.isReadOnly = response.code == .readOnly
        selected = state
        selectedAhead = state
    }
}
