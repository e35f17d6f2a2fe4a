/// Who sent a request, believing `X-Forwarded-For` only as far as it was written by trusted
/// proxies: walking the chain from the nearest hop back, the first address that is not a
/// trusted proxy is the client.
enum ClientAddress {
    static func resolve(peer: String?, forwardedFor: [String], trusted: [IPAddressRange]) -> String {
        guard let peer else { return "unknown" }
        func isTrusted(_ address: String) -> Bool { trusted.contains { $0.contains(address) } }
        guard isTrusted(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        for hop in hops.reversed() {
            guard IPAddressRange.parse(hop) != nil else { return peer }
            if !isTrusted(hop) { return hop }
        }
        return hops.first ?? peer
    }
}
