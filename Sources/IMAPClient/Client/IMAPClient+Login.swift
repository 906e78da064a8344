import Foundation
import IMAPCore

/// Logging in, with the ID and NAMESPACE that every session asks right after it.
extension IMAPClient {
    /// Logs in with AUTHENTICATE PLAIN when offered, else LOGIN. Refuses an unencrypted link
    /// unless plaintext was explicitly allowed.
    public func login(password: String) throws {
        if !isEncrypted && !configuration.allowsPlaintextLogin { throw IMAPError.plaintextRefused(host: host) }
        let user = configuration.endpoint.user
        let usePlain =
            configuration.authentication == .plain
            || (configuration.authentication == .automatic && capabilities.contains(.authPlain))
        let command: Command =
            usePlain
            ? .authenticatePlain(user: user, password: password)
            : .login(user: user, password: password)
        if let handshakeRoundTrip, configuration.linkCompression != .on,
            let exchange = try loginWithIdentityAndNamespace(command)
        {
            // The TLS handshake is a round trip with next to no server work: the better measure.
            roundTrip = min(handshakeRoundTrip, exchange)
            return
        }
        let sent = ContinuousClock.now
        let response = try run(command)
        let loginRoundTrip = ContinuousClock.now - sent
        guard response.status == .ok else {
            throw IMAPError.authenticationFailed(host: host, user: user, serverText: response.text)
        }
        if case .capability(let list)? = response.code { setCapabilities(list) } else { try refreshCapabilities() }
        if configuration.linkCompression == .on { try startCompression(because: "--compress-link on") }
        roundTrip = try identifyAndLearnNamespace() ?? loginRoundTrip
    }

    /// LOGIN (or AUTHENTICATE PLAIN with its initial response), ID and NAMESPACE sent together:
    /// one round trip where there were two. Only when the login needs no continuation, else a
    /// pipelined line would be read as its answer. A refused login gets the other two answered
    /// NO or BAD, and nothing more. Returns nil (nothing sent) when the login needs a continuation.
    private func loginWithIdentityAndNamespace(_ login: Command) throws -> Duration? {
        let connection = try requireConnection()
        let encodedLogin = currentEncoder.encode(login, tag: connection.nextTag())
        guard !encodedLogin.parts.contains(.awaitContinuation) else { return nil }
        learnedNamespace = nil
        var commands: [(EncodedCommand, [AppendRequest])] = [(encodedLogin, [])]
        // The capabilities before login: a server that lists ID there answers it after login too.
        if capabilities.contains(.id), !configuration.clientIdentity.isEmpty {
            commands.append((currentEncoder.encode(.id(configuration.clientIdentity), tag: connection.nextTag()), []))
        }
        // NAMESPACE is asked blind (servers announce it after login); an error answer costs nothing.
        commands.append((currentEncoder.encode(.namespace, tag: connection.nextTag()), []))
        var namespace: NamespaceResponse?
        let sent = ContinuousClock.now
        let responses: [TaggedResponse]
        do {
            responses = try connection.execute(commands) { event in
                switch event {
                case .untagged(.namespace(let value)): namespace = value
                case .untagged(.id): break
                default: try self.observe(event)
                }
            }
        } catch let error as IMAPError where error.scope == .account && error.isTransient {
            connection.close()
            self.connection = nil
            throw error
        }
        let exchange = ContinuousClock.now - sent
        let response = responses[0]
        guard response.status == .ok else {
            throw IMAPError.authenticationFailed(
                host: host, user: configuration.endpoint.user, serverText: response.text)
        }
        if case .capability(let list)? = response.code { setCapabilities(list) } else { try refreshCapabilities() }
        if capabilities.contains(.namespace), responses.last?.status == .ok { learnedNamespace = .some(namespace) }
        return exchange
    }

    /// ID and NAMESPACE in one round trip, right after login: the ID answer changes nothing, and
    /// every step asks for the namespace next (on a 50 ms link each round trip saved is 50 ms per
    /// connection). Neither failing fails the login.
    /// Returns how long the round trip took, or nil when neither was sent.
    private func identifyAndLearnNamespace() throws -> Duration? {
        learnedNamespace = nil
        let connection = try requireConnection()
        var commands: [(EncodedCommand, [AppendRequest])] = []
        if capabilities.contains(.id), !configuration.clientIdentity.isEmpty {
            commands.append((currentEncoder.encode(.id(configuration.clientIdentity), tag: connection.nextTag()), []))
        }
        let asksNamespace = capabilities.contains(.namespace)
        if asksNamespace { commands.append((currentEncoder.encode(.namespace, tag: connection.nextTag()), [])) }
        guard !commands.isEmpty else { return nil }
        var namespace: NamespaceResponse?
        let sent = ContinuousClock.now
        do {
            let responses = try connection.execute(commands) { event in
                switch event {
                case .untagged(.namespace(let value)): namespace = value
                case .untagged(.id): break
                default: try self.observe(event)
                }
            }
            if asksNamespace, responses.last?.status == .ok { learnedNamespace = .some(namespace) }
            return ContinuousClock.now - sent
        } catch let error as IMAPError where error.scope == .account && error.isTransient {
            connection.close()
            self.connection = nil
            throw error
        } catch {
            // A server that garbles its ID answer is still usable; NAMESPACE is asked again later.
            return nil
        }
    }
}
