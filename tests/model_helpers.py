from scanner.model import Peer


def internet_peer() -> Peer:
    return Peer(kind="internet")
