import IMAPCore

extension IMAPClient {
    /// IDLE (RFC 2177) until an untagged response satisfies `stop`. `onIdling` runs once the
    /// server has confirmed IDLE, which lets a caller know the connection is now waiting.
    public func idle(onIdling: @Sendable () -> Void = {}, until stop: (UntaggedResponse) -> Bool) throws {
        let connection = try requireConnection()
        let tag = connection.nextTag()
        let command = currentEncoder.encode(.idle, tag: tag)
        for case .bytes(let bytes, _) in command.parts { try connection.stream.write(bytes) }
        var idling = false
        while true {
            let event = try connection.readEvent()
            switch event {
            case .continuation where !idling:
                idling = true
                onIdling()
            case .untagged(let response):
                try observe(event)
                if idling && stop(response) {
                    try connection.stream.write(Array("DONE\r\n".utf8))
                    try finishIdle(connection, tag: tag)
                    return
                }
            case .tagged(let response) where response.tag == tag:
                try requireOK(response, command: "IDLE")
                return
            default:
                try observe(event)
            }
        }
    }

    private func finishIdle(_ connection: IMAPConnection, tag: String) throws {
        while true {
            let event = try connection.readEvent()
            if case .tagged(let response) = event, response.tag == tag {
                try requireOK(response, command: "IDLE")
                return
            }
            try observe(event)
        }
    }
}
